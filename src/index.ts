// tsyringe needs the Reflect polyfill before any decorated kernel class is evaluated.
import 'reflect-metadata';
// The package's front door (`import ... from '@cairn-chain/cairn'`): the kernel's contracts plus the built-in
// plugin factories and the API client, which is what an external app and its tests need.
export * from './kernel/index.js';
export { loadApps, appFromModule, builtinAppNames } from './apps/registry.js';
export { builtinPlugins } from './plugins/registry.js';
export { powConsensus, type PowConsensusPluginOptions } from './plugins/consensus-pow/index.js';
export { levelStore, type LevelStoreOptions } from './plugins/store-level/index.js';
export { memoryStore, type MemoryStoreOptions } from './plugins/store-memory/index.js';
export {
  MemoryNetwork,
  memoryTransport,
  type MemoryNetworkOptions,
  type MemoryTransportOptions,
} from './plugins/transport-memory/index.js';
export { udpTransport, type UdpTransportOptions } from './plugins/transport-udp/index.js';
export { tcpTransport, type TcpTransportOptions } from './plugins/transport-tcp/index.js';
export { trackerDiscovery, type TrackerDiscoveryOptions } from './plugins/tracker/index.js';
export { ApiClient, ApiError, httpApi, type ApiClientOptions, type HttpApiOptions } from './plugins/http-api/index.js';
