export { ApiClient, encodeArg, type ApiClientOptions, type EventSubscription } from './client.js';
export { COOKIE_FILE, URL_FILE } from './cookie.js';
export { ApiError } from './errors.js';
export { httpApi, type HttpApiOptions } from './plugin.js';
export { MAX_BODY_BYTES } from './body.js';
export { HttpApi } from './server.js';
export { MAX_TXS_PER_BATCH } from './schemas.js';
export * from './types.js';
