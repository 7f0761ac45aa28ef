import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError } from './errors.js';

/** An `onRequest` hook for write routes: the request must carry `secret` as its bearer token. */
export function tokenGuard(secret: string): (request: FastifyRequest) => Promise<void> {
  return async (request) => checkToken(request.headers.authorization, secret);
}

function checkToken(header: string | undefined, secret: string): void {
  if (!header)
    throw new ApiError('AUTH_REQUIRED', 'this route needs the header "authorization: Bearer <token>" with the token from api.cookie', 401);
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  // Hashing both sides gives equal lengths, so the comparison time says nothing about the token.
  const given = createHash('sha256')
    .update(match?.[1] ?? '')
    .digest();
  const expected = createHash('sha256').update(secret).digest();
  if (!match || !timingSafeEqual(given, expected))
    throw new ApiError('AUTH_INVALID', 'the API token is wrong: read it from api.cookie in the node data dir', 403);
}
