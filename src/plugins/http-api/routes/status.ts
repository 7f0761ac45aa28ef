import type { FastifyInstance } from 'fastify';
import { peersSchema, statusSchema } from '../schemas.js';
import type { PeersResponse, StatusResponse } from '../types.js';
import type { RouteContext } from './context.js';

/** `GET /status`, `GET /peers`. */
export function statusRoutes(server: FastifyInstance, ctx: RouteContext): void {
  server.get('/status', { schema: statusSchema }, async () => status(ctx));
  server.get('/peers', { schema: peersSchema }, async () => peers(ctx));
}

function status({ chain, mempool, network, config, storeHealth, startedAt }: RouteContext): StatusResponse {
  const tip = chain.tip();
  const stats = network?.stats();
  return {
    chainId: chain.chainId,
    height: tip.height,
    tip: tip.hash,
    totalWork: tip.totalWork.toString(16),
    mempool: mempool.size,
    peers: stats ? stats.peers.filter((p) => p.ready).length : 0,
    syncing: stats?.syncing ?? false,
    mining: config.mine,
    store: storeHealth.status(),
    rejections: stats?.rejections ?? {},
    edge: { ...(stats?.edge ?? {}) },
    transport: { ...(stats?.transport ?? {}) },
    uptime: Math.round((Date.now() - startedAt()) / 100) / 10,
  };
}

function peers({ network }: RouteContext): PeersResponse {
  const stats = network?.stats();
  return { peers: stats?.peers ?? [], banned: stats?.banned ?? [] };
}
