import type { FastifyInstance } from 'fastify';
import { parseUntrustedJson, UntrustedJsonError } from '../../kernel/index.js';
import { ApiError } from './errors.js';

/** Bodies above this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Bodies are JSON only: a text body would reach the handler as a string. JSON is parsed by
 * the one untrusted-JSON parser: depth bounded before anything walks it, no prototype keys.
 * The size bound is Fastify's `bodyLimit` (MAX_BODY_BYTES), checked before this parser runs.
 */
export function acceptJsonBodiesOnly(server: FastifyInstance): void {
  server.removeContentTypeParser('text/plain');
  server.removeContentTypeParser('application/json');
  server.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, parseUntrustedJson(body as Buffer));
    } catch (err) {
      done(bodyError(err), undefined);
    }
  });
}

function bodyError(err: unknown): ApiError {
  const deep = err instanceof UntrustedJsonError && err.code === 'JSON_TOO_DEEP';
  return new ApiError(
    deep ? 'BODY_TOO_DEEP' : 'BODY_INVALID',
    deep ? err.message : 'the body is not valid JSON, or holds a __proto__ key',
    400,
  );
}
