import type { FastifyInstance } from 'fastify';
import { headerHash, type ChainReader } from '../../../kernel/index.js';
import { ApiError } from '../errors.js';
import { blockSchema, blocksSchema, MAX_BLOCKS_PAGE, type BlockParams, type BlocksQuery } from '../schemas.js';
import type { BlockResponse, BlocksResponse } from '../types.js';
import type { RouteContext } from './context.js';
import type { TxIdCache } from './tx-ids.js';

/** `GET /blocks`, `GET /blocks/:hash` (or `/blocks/:height`). */
export function blockRoutes(server: FastifyInstance, { chain, txIds }: RouteContext): void {
  server.get<{ Querystring: BlocksQuery }>('/blocks', { schema: blocksSchema }, async (request) => blocks(chain, txIds, request.query));
  server.get<{ Params: BlockParams }>('/blocks/:hash', { schema: blockSchema }, async (request) =>
    block(chain, txIds, request.params.hash),
  );
}

async function blocks(chain: ChainReader, cache: TxIdCache, query: BlocksQuery): Promise<BlocksResponse> {
  const height = chain.tip().height;
  const limit = Math.min(query.limit, MAX_BLOCKS_PAGE);
  // Without `from`, the latest page: what a dashboard shows.
  const from = query.from ?? Math.max(0, height - limit + 1);
  const page: BlocksResponse['blocks'] = [];
  for (let h = from; h <= Math.min(height, from + limit - 1); h++) {
    const block = await chain.blockAt(h);
    if (!block) break; // a reorg shortened the chain while we read
    const { header } = block;
    const hash = headerHash(header);
    const txIds = cache.of(hash, block);
    page.push({
      hash,
      height: header.height,
      time: header.time,
      target: header.target,
      txCount: txIds.length,
      txIds,
    });
  }
  return { height, blocks: page };
}

/** By hash on any branch, or by height on the best chain (all digits, shorter than a hash). */
async function block(chain: ChainReader, cache: TxIdCache, hashOrHeight: string): Promise<BlockResponse> {
  if (hashOrHeight.length < 64) return blockAtHeight(chain, cache, Number(hashOrHeight));
  const hash = hashOrHeight;
  const found = await chain.block(hash);
  if (!found) throw new ApiError('BLOCK_UNKNOWN', `this node has no block ${hash.slice(0, 16)}…`, 404);
  return {
    hash,
    header: found.header,
    txs: found.txs,
    txIds: cache.of(hash, found),
    onBestChain: chain.hashAt(found.header.height) === hash,
  };
}

async function blockAtHeight(chain: ChainReader, cache: TxIdCache, height: number): Promise<BlockResponse> {
  const tip = chain.tip().height;
  if (height > tip)
    throw new ApiError('BLOCK_UNKNOWN', `there is no block ${height}: the best chain's tip is at height ${tip}`, 404, { tip });
  const hash = chain.hashAt(height);
  const found = hash === undefined ? undefined : await chain.block(hash);
  // A reorg shortened the chain between the two reads.
  if (!hash || !found) throw new ApiError('BLOCK_UNKNOWN', `there is no block ${height} on the best chain any more`, 404);
  return { hash, header: found.header, txs: found.txs, txIds: cache.of(hash, found), onBestChain: true };
}
