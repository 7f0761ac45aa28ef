import { Ajv, type ValidateFunction } from 'ajv';
import { fastify, LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import {
  isAppRejection,
  assertWired,
  parseUntrustedJson,
  UntrustedJsonError,
  CairnError,
  ConfigError,
  headerHash,
  StoreError,
  TX_INDEX_APP,
  TxRejection,
  txId,
  type ChainReader,
  type Mempool,
  type Network,
  type NodeConfig,
  type NodeEvents,
  type Service,
  type StoreHealth,
  type Tx,
  compileGuard,
  TX_SCHEMA,
} from '../../kernel/index.js';
import { newToken, removeApiFiles, writeApiFiles } from './cookie.js';
import { ApiError } from './errors.js';
import {
  appsSchema,
  blockSchema,
  blocksSchema,
  eventsSchema,
  MAX_BLOCKS_PAGE,
  MAX_TXS_PER_BATCH,
  peersSchema,
  querySchema,
  statusSchema,
  submitTxSchema,
  submitTxsSchema,
  txStatusSchema,
  type BlockParams,
  type BlocksQuery,
  type EventsQuery,
  type QueryArgs,
  type QueryParams,
  type TxBody,
  type TxsBody,
  type TxStatusParams,
} from './schemas.js';
import {
  API_EVENT_TYPES,
  type ApiEventType,
  type AppsResponse,
  type BlockResponse,
  type BlocksResponse,
  type PeersResponse,
  type StatusResponse,
  type TxStatusResponse,
  type TxsSubmitResponse,
} from './types.js';

/** Bodies above this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 1024 * 1024;
const MAX_STREAMS = 64;
/** A stream whose client reads slower than events arrive is dropped past this much unsent data. */
const MAX_STREAM_BUFFER = 1024 * 1024;
const HEARTBEAT_MS = 15_000;
const CLOSE_GRACE_MS = 300;
/** Ignore-verdict rejections that mean "already have it": the submitter's goal is met. */
const ALREADY_KNOWN = new Set(['TX_KNOWN', 'TX_ALREADY_IN_CHAIN']);
const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost)$/;

export interface HttpApiDeps {
  chain: ChainReader;
  mempool: Mempool;
  storeHealth: StoreHealth;
  config: NodeConfig;
  log: Logger;
  events: NodeEvents;
  /** Absent for a node without a transport. */
  network?: Network;
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
  private readonly chain: ChainReader;
  private readonly mempool: Mempool;
  private readonly storeHealth: StoreHealth;
  private readonly config: NodeConfig;
  private readonly log: Logger;
  private readonly events: NodeEvents;
  private readonly network?: Network;
  private readonly port: number;
  private readonly host: string;
  private server?: FastifyInstance;
  private url?: string;
  private secret = '';
  private startedAt = 0;
  private closing = false;
  private readonly streams = new Set<ServerResponse>();

  constructor(deps: HttpApiDeps) {
    const { chain, mempool, storeHealth, config, log, events } = deps;
    assertWired('HttpApi', { chain, mempool, storeHealth, config, log, events });
    this.chain = chain;
    this.mempool = mempool;
    this.storeHealth = storeHealth;
    this.config = config;
    this.log = log.child({ plugin: 'http-api' });
    this.events = events;
    this.network = deps.network;
    this.port = deps.port;
    this.host = deps.host;
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
    try {
      await server.listen({ port: this.port, host: this.host });
    } catch (err) {
      this.server = undefined;
      await server.close().catch(() => undefined);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') {
        throw new ConfigError('API_PORT_IN_USE', `port ${this.port} on ${this.host} is in use: pick another --api-port`, {
          port: this.port,
        });
      }
      throw new CairnError('API_LISTEN_FAILED', `the node API could not listen on ${this.host}:${this.port}: ${(err as Error).message}`);
    }
    const { port } = server.server.address() as { port: number };
    const url = `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${port}`;
    try {
      await writeApiFiles(this.config.dataDir, url, this.secret);
    } catch (err) {
      this.server = undefined;
      await server.close().catch(() => undefined);
      throw new CairnError('API_COOKIE_FAILED', `could not write the API cookie in ${this.config.dataDir}: ${(err as Error).message}`);
    }
    this.url = url;
    this.startedAt = Date.now();
    this.log.info({ url }, 'node API listening');
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.closing = true;
    this.server = undefined;
    this.url = undefined;
    // Event streams never end on their own; the server would wait for them forever.
    for (const res of this.streams) res.end();
    await removeApiFiles(this.config.dataDir, this.secret).catch((err) =>
      this.log.warn({ err: (err as Error).message }, 'could not remove the API cookie'),
    );
    // In-flight requests get a moment to finish; then every socket goes, including ones a client
    // opened ahead of a request it never sent (undici does this), which the server never calls idle.
    const force = setTimeout(() => server.server.closeAllConnections(), CLOSE_GRACE_MS);
    await server.close();
    clearTimeout(force);
  }

  private build(): FastifyInstance {
    // Query strings and params are text and are coerced to the schema's types; a body is not:
    // a transaction is signed as sent, so a coerced or stripped field would make it another one.
    const coercing = new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: false, allErrors: false, strict: false });
    const exact = new Ajv({ coerceTypes: false, useDefaults: false, removeAdditional: false, allErrors: false, strict: false });
    const server = fastify({
      loggerInstance: this.log,
      // Fastify logs every request at info; one debug line per request (onResponse below) is enough.
      logController: new LogController({ disableRequestLogging: true }),
      bodyLimit: MAX_BODY_BYTES,
      return503OnClosing: false,
    }) as unknown as FastifyInstance;
    // Bodies are JSON only: a text body would reach the handler as a string. JSON is parsed by
    // the one untrusted-JSON parser: depth bounded before anything walks it, no prototype keys.
    server.removeContentTypeParser('text/plain');
    server.removeContentTypeParser('application/json');
    server.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
      try {
        done(null, parseUntrustedJson(body as Buffer));
      } catch (err) {
        const deep = err instanceof UntrustedJsonError && err.code === 'JSON_TOO_DEEP';
        done(
          new ApiError(
            deep ? 'BODY_TOO_DEEP' : 'BODY_INVALID',
            deep ? err.message : 'the body is not valid JSON, or holds a __proto__ key',
            400,
          ),
          undefined,
        );
      }
    });
    server.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? exact : coercing).compile(schema));
    const validateTx = compileGuard(exact, TX_SCHEMA);

    server.addHook('onRequest', async () => {
      if (this.closing) throw new ApiError('NODE_STOPPING', 'the node is stopping', 503);
    });
    server.addHook('onResponse', async (request, reply) => {
      request.log.debug(
        { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
        'api request',
      );
    });
    server.setErrorHandler((err, request, reply) => {
      const { status, code, message } = this.toHttpError(err);
      if (status === 500) this.log.error({ code, err: (err as Error)?.message, url: request.url }, 'api request failed');
      return reply.status(status).send({ error: { code, message } });
    });
    server.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0]!.slice(0, 200);
      return reply.status(404).send({ error: { code: 'ROUTE_UNKNOWN', message: `the node API has no route ${request.method} ${path}` } });
    });

    const requireToken = async (request: FastifyRequest) => this.checkToken(request.headers.authorization);

    server.get('/status', { schema: statusSchema }, async () => this.status());
    server.get('/peers', { schema: peersSchema }, async () => this.peers());
    server.get<{ Querystring: BlocksQuery }>('/blocks', { schema: blocksSchema }, async (request) => this.blocks(request.query));
    server.get<{ Params: BlockParams }>('/blocks/:hash', { schema: blockSchema }, async (request) => this.block(request.params.hash));
    server.post<{ Body: TxBody }>(
      '/tx',
      { schema: submitTxSchema, onRequest: requireToken, attachValidation: true },
      async (request, reply) => this.submitTx(request, reply),
    );
    server.post<{ Body: TxsBody }>('/txs', { schema: submitTxsSchema, onRequest: requireToken, attachValidation: true }, async (request) =>
      this.submitTxs(request, validateTx),
    );
    server.get<{ Params: TxStatusParams }>('/tx/:id', { schema: txStatusSchema }, async (request) => this.txStatus(request.params.id));
    server.get('/apps', { schema: appsSchema }, async () => this.apps());
    server.get<{ Params: QueryParams; Querystring: QueryArgs }>('/apps/:app/:query', { schema: querySchema }, async (request) =>
      this.query(request.params.app, request.params.query, request.query),
    );
    server.get<{ Querystring: EventsQuery }>('/events', { schema: eventsSchema }, async (request, reply) => this.stream(request, reply));
    return server;
  }

  private checkToken(header: string | undefined): void {
    if (!header)
      throw new ApiError(
        'AUTH_REQUIRED',
        'this route needs the header "authorization: Bearer <token>" with the token from api.cookie',
        401,
      );
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    // Hashing both sides gives equal lengths, so the comparison time says nothing about the token.
    const given = createHash('sha256')
      .update(match?.[1] ?? '')
      .digest();
    const expected = createHash('sha256').update(this.secret).digest();
    if (!match || !timingSafeEqual(given, expected))
      throw new ApiError('AUTH_INVALID', 'the API token is wrong: read it from api.cookie in the node data dir', 403);
  }

  private toHttpError(err: unknown): { status: number; code: string; message: string } {
    if (err instanceof ApiError) return { status: err.status, code: err.code, message: err.message };
    if (err instanceof TxRejection) return { status: err.code === 'MEMPOOL_FULL' ? 503 : 422, code: err.code, message: err.message };
    if (isAppRejection(err)) return { status: 400, code: err.code, message: err.message };
    // The node could not save it (a full disk): nothing was kept, so the client may retry.
    if (err instanceof StoreError) return { status: 503, code: err.code, message: err.message };
    if (err instanceof CairnError) {
      const notFound = err.code === 'APP_UNKNOWN' || err.code === 'QUERY_UNKNOWN';
      return { status: notFound ? 404 : 500, code: err.code, message: err.message };
    }
    const fe = err as FastifyError;
    if (fe?.validation) return { status: 400, code: 'REQUEST_INVALID', message: fe.message };
    const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
    if (status === 413) return { status, code: 'BODY_TOO_LARGE', message: `the request body is larger than ${MAX_BODY_BYTES} bytes` };
    if (status === 415) return { status, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send the body as application/json' };
    if (status === 400) return { status, code: 'BODY_INVALID', message: fe.message };
    if (status > 400 && status < 500) return { status, code: 'REQUEST_INVALID', message: fe.message };
    return { status: 500, code: 'INTERNAL', message: 'the node failed to handle this request; its log has the details' };
  }

  private status(): StatusResponse {
    const tip = this.chain.tip();
    const stats = this.network?.stats();
    return {
      chainId: this.chain.chainId,
      height: tip.height,
      tip: tip.hash,
      totalWork: tip.totalWork.toString(16),
      mempool: this.mempool.size,
      peers: stats ? stats.peers.filter((p) => p.ready).length : 0,
      syncing: stats?.syncing ?? false,
      mining: this.config.mine,
      store: this.storeHealth.status(),
      rejections: stats?.rejections ?? {},
      edge: { ...(stats?.edge ?? {}) },
      transport: { ...(stats?.transport ?? {}) },
      uptime: Math.round((Date.now() - this.startedAt) / 100) / 10,
    };
  }

  private peers(): PeersResponse {
    const stats = this.network?.stats();
    return { peers: stats?.peers ?? [], banned: stats?.banned ?? [] };
  }

  private async blocks(query: BlocksQuery): Promise<BlocksResponse> {
    const height = this.chain.tip().height;
    const limit = Math.min(query.limit, MAX_BLOCKS_PAGE);
    // Without `from`, the latest page: what a dashboard shows.
    const from = query.from ?? Math.max(0, height - limit + 1);
    const blocks: BlocksResponse['blocks'] = [];
    for (let h = from; h <= Math.min(height, from + limit - 1); h++) {
      const block = await this.chain.blockAt(h);
      if (!block) break; // a reorg shortened the chain while we read
      const txIds = block.txs.map((tx) => txId(this.chain.chainId, tx));
      const { header } = block;
      blocks.push({
        hash: headerHash(header),
        height: header.height,
        time: header.time,
        target: header.target,
        txCount: txIds.length,
        txIds,
      });
    }
    return { height, blocks };
  }

  private async block(hash: string): Promise<BlockResponse> {
    const block = await this.chain.block(hash);
    if (!block) throw new ApiError('BLOCK_UNKNOWN', `this node has no block ${hash.slice(0, 16)}…`, 404);
    const txIds = block.txs.map((tx) => txId(this.chain.chainId, tx));
    return { hash, header: block.header, txs: block.txs, txIds, onBestChain: this.chain.hashAt(block.header.height) === hash };
  }

  // With `attachValidation` the handler runs on an invalid body too: it is typed as valid only
  // past the `validationError` check.
  private async submitTx(request: FastifyRequest<{ Body: TxBody }>, reply: FastifyReply): Promise<FastifyReply> {
    const invalid = request.validationError?.validation?.[0];
    if (request.validationError) {
      const where = invalid?.instancePath || 'envelope';
      throw new TxRejection('TX_MALFORMED', `transaction ${where} ${invalid?.message ?? 'is invalid'}`);
    }
    const tx = request.body;
    try {
      const { id } = await this.mempool.add(tx);
      return reply.status(202).send({ id });
    } catch (err) {
      if (err instanceof TxRejection && ALREADY_KNOWN.has(err.code))
        return reply.status(200).send({ id: txId(this.chain.chainId, tx), known: true });
      throw err;
    }
  }

  /**
   * Each transaction of the batch is judged in order, as if posted alone; their mempool writes
   * share one store batch. The answer lists, per transaction, its id or why it was refused.
   */
  private async submitTxs(request: FastifyRequest<{ Body: TxsBody }>, validateTx: ValidateFunction<Tx>): Promise<TxsSubmitResponse> {
    if (request.validationError) {
      const invalid = request.validationError.validation?.[0];
      throw new ApiError(
        'REQUEST_INVALID',
        `the body must be an array of 1 to ${MAX_TXS_PER_BATCH} transactions: ${invalid?.message ?? 'it is not'}`,
        400,
      );
    }
    // Refused whole while nothing can be saved: a 503 the client retries, not a page of errors.
    this.storeHealth.assertWritable();
    const results = await Promise.all(
      request.body.map(async (raw): Promise<TxsSubmitResponse['results'][number]> => {
        if (!validateTx(raw)) {
          const invalid = validateTx.errors?.[0];
          return {
            error: {
              code: 'TX_MALFORMED',
              message: `transaction ${invalid?.instancePath || 'envelope'} ${invalid?.message ?? 'is invalid'}`,
            },
          };
        }
        try {
          return await this.mempool.add(raw);
        } catch (err) {
          if (err instanceof TxRejection && ALREADY_KNOWN.has(err.code)) return { id: txId(this.chain.chainId, raw), known: true };
          if (err instanceof TxRejection || isAppRejection(err) || err instanceof StoreError)
            return { error: { code: err.code, message: err.message } };
          throw err;
        }
      }),
    );
    return { results };
  }

  private txStatus(id: string): TxStatusResponse {
    if (this.mempool.has(id)) return { status: 'pending' };
    const height = this.chain.view(TX_INDEX_APP).get<number>(id);
    const blockHash = height === undefined ? undefined : this.chain.hashAt(height);
    if (height === undefined || !blockHash)
      throw new ApiError('TX_UNKNOWN', `transaction ${id.slice(0, 16)}… is neither pending nor on the best chain`, 404);
    return { status: 'confirmed', height, blockHash, confirmations: this.chain.tip().height - height + 1 };
  }

  private apps(): AppsResponse {
    return {
      apps: this.chain.apps().map((app) => ({
        id: app.id,
        ...(app.description ? { description: app.description } : {}),
        txTypes: Object.keys(app.tx),
        queries: Object.keys(app.queries),
      })),
    };
  }

  private query(app: string, name: string, raw: QueryArgs): { result: unknown } {
    const args = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, decodeArg(v)]));
    try {
      return { result: this.chain.query(app, name, args) ?? null };
    } catch (err) {
      if (err instanceof CairnError) throw err;
      this.log.warn({ app, query: name, err: (err as Error)?.message }, 'app query failed');
      throw new ApiError('QUERY_FAILED', `query '${name}' of app '${app}' failed: check its arguments`, 500);
    }
  }

  /** Server-Sent Events: one `event:` per node event, so a live tally follows the chain without polling. */
  private async stream(request: FastifyRequest<{ Querystring: EventsQuery }>, reply: FastifyReply): Promise<void> {
    if (this.streams.size >= MAX_STREAMS)
      throw new ApiError('TOO_MANY_STREAMS', `the node already serves ${MAX_STREAMS} event streams`, 503);
    const wanted = new Set<ApiEventType>((request.query.types?.split(',') as ApiEventType[] | undefined) ?? API_EVENT_TYPES);
    reply.hijack();
    const res = reply.raw;
    const listeners = new Map<ApiEventType, (data: unknown) => void>();
    const heartbeat = setInterval(() => send(': ping\n\n'), HEARTBEAT_MS).unref();
    const cleanup = () => {
      clearInterval(heartbeat);
      for (const [type, listener] of listeners) this.events.off(type, listener);
      listeners.clear();
      this.streams.delete(res);
      // The client went away mid-stream: end our side too, or the server would count the socket as busy.
      if (!res.writableEnded) res.destroy();
    };
    const send = (text: string) => {
      if (res.writableEnded || res.destroyed) return;
      if (res.writableLength > MAX_STREAM_BUFFER) {
        this.log.debug('dropping a slow event stream');
        res.destroy();
        return;
      }
      res.write(text);
    };
    for (const type of wanted) {
      const listener = (data: unknown) => send(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
      listeners.set(type, listener);
      this.events.on(type, listener);
    }
    this.streams.add(res);
    res.on('close', cleanup);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    // A first line flushes the headers, so a client knows it is subscribed before any event.
    res.write(': subscribed\n\n');
  }
}

/** A query argument is JSON when it parses as JSON (`5`, `true`, `["a"]`), else the text itself. */
export function decodeArg(value: string): unknown {
  try {
    return parseUntrustedJson(value);
  } catch {
    return value;
  }
}
