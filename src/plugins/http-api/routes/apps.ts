import type { FastifyInstance } from 'fastify';
import { CairnError, parseUntrustedJson } from '../../../kernel/index.js';
import { ApiError } from '../errors.js';
import { appsSchema, querySchema, type QueryArgs, type QueryParams } from '../schemas.js';
import type { AppsResponse } from '../types.js';
import type { RouteContext } from './context.js';

/** `GET /apps`, `GET /apps/:app/:query`. */
export function appRoutes(server: FastifyInstance, ctx: RouteContext): void {
  server.get('/apps', { schema: appsSchema }, async () => apps(ctx));
  server.get<{ Params: QueryParams; Querystring: QueryArgs }>('/apps/:app/:query', { schema: querySchema }, async (request) =>
    query(ctx, request.params.app, request.params.query, request.query),
  );
}

function apps({ chain }: RouteContext): AppsResponse {
  return {
    apps: chain.apps().map((app) => ({
      id: app.id,
      ...(app.description ? { description: app.description } : {}),
      txTypes: Object.keys(app.tx),
      // What a generic client (`cairn tx APP TYPE`) builds its payload flags from.
      txSchemas: Object.fromEntries(Object.entries(app.tx).map(([type, handler]) => [type, handler.schema])),
      queries: Object.keys(app.queries),
    })),
  };
}

function query({ chain, log }: RouteContext, app: string, name: string, raw: QueryArgs): { result: unknown } {
  const args = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, decodeArg(v)]));
  try {
    return { result: chain.query(app, name, args) ?? null };
  } catch (err) {
    if (err instanceof CairnError) throw err;
    log.warn({ app, query: name, err: (err as Error)?.message }, 'app query failed');
    throw new ApiError('QUERY_FAILED', `query '${name}' of app '${app}' failed: check its arguments`, 500);
  }
}

/** A query argument is JSON when it parses as JSON (`5`, `true`, `["a"]`), else the text itself. */
function decodeArg(value: string): unknown {
  try {
    return parseUntrustedJson(value);
  } catch {
    return value;
  }
}
