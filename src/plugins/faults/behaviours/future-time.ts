import { branchFrom, childHeader, seal } from '../craft.js';
import { forgedBlocks } from './forged-blocks.js';

const AHEAD_MS = 3 * 60 * 60 * 1000;

export const futureTime = forgedBlocks({
  name: 'future-time',
  summary: 'Pushes a sealed block on its tip dated 3 hours ahead (the limit is 2 hours).',
  honestReaction:
    'Ignores the block without connecting it (BLOCK_TIME_TOO_NEW, counted for the peer but free: it may become valid later, so an honest relay is not punished).',
  codes: ['BLOCK_TIME_TOO_NEW'],
  bans: false,
  async build(ctx, tip) {
    const sealed = await seal(ctx.chain, childHeader(ctx.chain, branchFrom(ctx.chain, tip), [], Date.now() + AHEAD_MS));
    return sealed ? [{ header: sealed, txs: [] }] : [];
  },
});
