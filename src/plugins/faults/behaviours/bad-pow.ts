import { branchFrom, childHeader, extendBranch, missSeal } from '../craft.js';
import { forgedBlocks } from './forged-blocks.js';

/** The original's first bad chain: blocks whose hash does not meet their target. */
export const badPow = forgedBlocks({
  name: 'bad-pow',
  group: 'chain',
  summary: 'Pushes a two-block chain on its tip whose blocks fail proof of work.',
  honestReaction: 'Rejects the first block at the seal check (BLOCK_BAD_POW) before looking further, and bans the sender.',
  codes: ['BLOCK_BAD_POW'],
  bans: true,
  build(ctx, tip) {
    const start = branchFrom(ctx.chain, tip);
    const first = missSeal(ctx.chain, childHeader(ctx.chain, start, []));
    const second = missSeal(ctx.chain, childHeader(ctx.chain, extendBranch(start, first), []));
    return [
      { header: first, txs: [] },
      { header: second, txs: [] },
    ];
  },
});
