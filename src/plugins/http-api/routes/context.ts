import type { ValidateFunction } from 'ajv';
import type { FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { TxIdCache } from './tx-ids.js';
import type { ChainReader, Mempool, Network, NodeConfig, NodeEvents, StoreHealth, Tx } from '../../../kernel/index.js';

/** The node's services the API reads and writes through (the server's deps, less where it listens). */
export interface NodeParts {
  chain: ChainReader;
  mempool: Mempool;
  storeHealth: StoreHealth;
  config: NodeConfig;
  log: Logger;
  events: NodeEvents;
  /** Absent for a node without a transport. */
  network?: Network;
}

/** What the route modules read the node through; built once per server by `HttpApi`. */
export interface RouteContext extends NodeParts {
  /** When the API started listening (ms), for `uptime`: set only once `listen` returned. */
  startedAt: () => number;
  /** The `onRequest` hook of write routes. */
  requireToken: (request: FastifyRequest) => Promise<void>;
  /** The envelope schema, for a batch's items checked one by one. */
  validateTx: ValidateFunction<Tx>;
  /** Open event streams: `HttpApi.stop` ends them, since they never end on their own. */
  streams: Set<ServerResponse>;
  /** Each block's transaction ids, computed once per block. */
  txIds: TxIdCache;
}
