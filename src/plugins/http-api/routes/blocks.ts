import type { FastifyInstance } from 'fastify';
import { headerHash, txId, type ChainReader } from '../../../kernel/index.js';
import { ApiError } from '../errors.js';
import { blockSchema, blocksSchema, MAX_BLOCKS_PAGE, type BlockParams, type BlocksQuery } from '../schemas.js';
import type { BlockResponse, BlocksResponse } from '../types.js';
import type { RouteContext } from './context.js';

/** `GET /blocks`, `GET /blocks/:hash`. */
export function blockRoutes(server: FastifyInstance, { chain }: RouteContext): void {
  server.get<{ Querystring: BlocksQuery }>('/blocks', { schema: blocksSchema }, async (request) => blocks(chain, request.query));
  server.get<{ Params: BlockParams }>('/blocks/:hash', { schema: blockSchema }, async (request) => block(chain, request.params.hash));
}

async function blocks(chain: ChainReader, query: BlocksQuery): Promise<BlocksResponse> {
  const height = chain.tip().height;
  const limit = Math.min(query.limit, MAX_BLOCKS_PAGE);
  // Without `from`, the latest page: what a dashboard shows.
  const from = query.from ?? Math.max(0, height - limit + 1);
  const page: BlocksResponse['blocks'] = [];
  for (let h = from; h <= Math.min(height, from + limit - 1); h++) {
    const block = await chain.blockAt(h);
    if (!block) break; // a reorg shortened the chain while we read
    const txIds = block.txs.map((tx) => txId(chain.chainId, tx));
    const { header } = block;
    page.push({
      hash: headerHash(header),
      height: header.height,
      time: header.time,
      target: header.target,
      txCount: txIds.length,
      txIds,
    });
  }
  return { height, blocks: page };
}

async function block(chain: ChainReader, hash: string): Promise<BlockResponse> {
  const found = await chain.block(hash);
  if (!found) throw new ApiError('BLOCK_UNKNOWN', `this node has no block ${hash.slice(0, 16)}…`, 404);
  const txIds = found.txs.map((tx) => txId(chain.chainId, tx));
  return { hash, header: found.header, txs: found.txs, txIds, onBestChain: chain.hashAt(found.header.height) === hash };
}
