import { fastify, LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import { assertWired, CairnError, compileGuard, ConfigError, TX_SCHEMA, type Service } from '../../kernel/index.js';
import { tokenGuard } from './auth.js';
import { acceptJsonBodiesOnly, MAX_BODY_BYTES } from './body.js';
import { newToken, removeApiFiles, writeApiFiles } from './cookie.js';
import { useErrorReplies } from './error-replies.js';
import { ApiError } from './errors.js';
import { appRoutes } from './routes/apps.js';
import { blockRoutes } from './routes/blocks.js';
import type { NodeParts, RouteContext } from './routes/context.js';
import { TxIdCache } from './routes/tx-ids.js';
import { eventRoutes } from './routes/events.js';
import { statusRoutes } from './routes/status.js';
import { txRoutes } from './routes/transactions.js';
import { useSchemaValidation } from './validation.js';

const CLOSE_GRACE_MS = 300;
const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost)$/;

export interface HttpApiDeps extends NodeParts {
  port: number;
  host: string;
}

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

/**
 * The node API: Fastify on a loopback address. Reads are open; writes need the token that
 * `start` writes to `<dataDir>/api.cookie`, as bitcoind does, so only the node's user can
 * submit through it. Every request part is checked by its route's JSON Schema.
 */
export class HttpApi implements Service {
  private readonly deps: HttpApiDeps;
  private server?: FastifyInstance;
  private url?: string;
  private secret = '';
  private startedAt = 0;
  private closing = false;
  private readonly streams = new Set<ServerResponse>();

  constructor(deps: HttpApiDeps) {
    const { chain, mempool, storeHealth, config, log, events } = deps;
    assertWired('HttpApi', { chain, mempool, storeHealth, config, log, events });
    this.deps = { ...deps, log: log.child({ plugin: 'http-api' }) };
  }

  /** `http://127.0.0.1:PORT`, once started. */
  get address(): string {
    if (!this.url) throw new CairnError('API_NOT_STARTED', 'the node API has not started');
    return this.url;
  }

  /** The write token, for in-process callers; others read it from the cookie file. */
  get token(): string {
    if (!this.url) throw new CairnError('API_NOT_STARTED', 'the node API has not started');
    return this.secret;
  }

  async start(): Promise<void> {
    if (this.server) return;
    this.secret = newToken();
    this.closing = false;
    const server = this.build();
    this.server = server;
    const url = await this.listen(server);
    await this.writeCookie(server, url);
    this.url = url;
    this.startedAt = Date.now();
    this.deps.log.info({ url }, 'node API listening');
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.closing = true;
    this.server = undefined;
    this.url = undefined;
    // Event streams never end on their own; the server would wait for them forever.
    for (const res of this.streams) res.end();
    await removeApiFiles(this.deps.config.dataDir, this.secret).catch((err) =>
      this.deps.log.warn({ err: (err as Error).message }, 'could not remove the API cookie'),
    );
    // In-flight requests get a moment to finish; then every socket goes, including ones a client
    // opened ahead of a request it never sent (undici does this), which the server never calls idle.
    const force = setTimeout(() => server.server.closeAllConnections(), CLOSE_GRACE_MS);
    await server.close();
    clearTimeout(force);
  }

  /** Listens, and answers the URL it listens on. */
  private async listen(server: FastifyInstance): Promise<string> {
    const { port, host } = this.deps;
    try {
      await server.listen({ port, host });
    } catch (err) {
      await this.abandon(server);
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
        throw new ConfigError('API_PORT_IN_USE', `port ${port} on ${host} is in use: pick another --api-port`, { port });
      throw new CairnError('API_LISTEN_FAILED', `the node API could not listen on ${host}:${port}: ${(err as Error).message}`);
    }
    const address = server.server.address() as { port: number };
    return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  }

  private async writeCookie(server: FastifyInstance, url: string): Promise<void> {
    const { dataDir } = this.deps.config;
    try {
      await writeApiFiles(dataDir, url, this.secret);
    } catch (err) {
      await this.abandon(server);
      throw new CairnError('API_COOKIE_FAILED', `could not write the API cookie in ${dataDir}: ${(err as Error).message}`);
    }
  }

  /** A server that failed to start: forgotten first, so a later `start` begins afresh. */
  private async abandon(server: FastifyInstance): Promise<void> {
    this.server = undefined;
    await server.close().catch(() => undefined);
  }

  private build(): FastifyInstance {
    const server = fastify({
      loggerInstance: this.deps.log,
      // Fastify logs every request at info; one debug line per request (onResponse below) is enough.
      logController: new LogController({ disableRequestLogging: true }),
      bodyLimit: MAX_BODY_BYTES,
      return503OnClosing: false,
    }) as unknown as FastifyInstance;
    acceptJsonBodiesOnly(server);
    const exact = useSchemaValidation(server);
    server.addHook('onRequest', async () => {
      if (this.closing) throw new ApiError('NODE_STOPPING', 'the node is stopping', 503);
    });
    server.addHook('onResponse', async (request, reply) => logRequest(request, reply));
    useErrorReplies(server, this.deps.log);
    const validateTx = compileGuard(exact, TX_SCHEMA);
    const ctx = this.routeContext(validateTx);
    for (const routes of [statusRoutes, blockRoutes, txRoutes, appRoutes, eventRoutes]) routes(server, ctx);
    return server;
  }

  private routeContext(validateTx: RouteContext['validateTx']): RouteContext {
    const { port: _port, host: _host, ...node } = this.deps;
    return {
      ...node,
      startedAt: () => this.startedAt,
      requireToken: tokenGuard(this.secret),
      validateTx,
      streams: this.streams,
      txIds: new TxIdCache(node.chain.chainId),
    };
  }
}

function logRequest(request: FastifyRequest, reply: FastifyReply): void {
  request.log.debug(
    { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
    'api request',
  );
}
