import type { FastifyError, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { CairnError, isAppRejection, StoreError, TxRejection } from '../../kernel/index.js';
import { MAX_BODY_BYTES } from './body.js';
import { ApiError } from './errors.js';

interface HttpError {
  status: number;
  code: string;
  message: string;
}

/** Every failure, and every unknown route, answers `{ error: { code, message } }`; never a stack trace. */
export function useErrorReplies(server: FastifyInstance, log: Logger): void {
  server.setErrorHandler((err, request, reply) => {
    const { status, code, message } = toHttpError(err);
    if (status === 500) log.error({ code, err: (err as Error)?.message, url: request.url }, 'api request failed');
    return reply.status(status).send({ error: { code, message } });
  });
  server.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!.slice(0, 200);
    return reply.status(404).send({ error: { code: 'ROUTE_UNKNOWN', message: `the node API has no route ${request.method} ${path}` } });
  });
}

function toHttpError(err: unknown): HttpError {
  if (err instanceof ApiError) return { status: err.status, code: err.code, message: err.message };
  if (err instanceof TxRejection) return { status: err.code === 'MEMPOOL_FULL' ? 503 : 422, code: err.code, message: err.message };
  if (isAppRejection(err)) return { status: 400, code: err.code, message: err.message };
  // The node could not save it (a full disk): nothing was kept, so the client may retry.
  if (err instanceof StoreError) return { status: 503, code: err.code, message: err.message };
  if (err instanceof CairnError) {
    const notFound = err.code === 'APP_UNKNOWN' || err.code === 'QUERY_UNKNOWN';
    return { status: notFound ? 404 : 500, code: err.code, message: err.message };
  }
  return fastifyToHttpError(err as FastifyError);
}

/** Fastify's own failures: schema validation, body size, content type, malformed requests. */
function fastifyToHttpError(fe: FastifyError): HttpError {
  if (fe?.validation) return { status: 400, code: 'REQUEST_INVALID', message: fe.message };
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
  if (status === 413) return { status, code: 'BODY_TOO_LARGE', message: `the request body is larger than ${MAX_BODY_BYTES} bytes` };
  if (status === 415) return { status, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send the body as application/json' };
  if (status === 400) return { status, code: 'BODY_INVALID', message: fe.message };
  if (status > 400 && status < 500) return { status, code: 'REQUEST_INVALID', message: fe.message };
  return { status: 500, code: 'INTERNAL', message: 'the node failed to handle this request; its log has the details' };
}
