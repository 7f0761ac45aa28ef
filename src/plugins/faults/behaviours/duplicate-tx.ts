import { branchFrom, childHeader, forgedTx, seal } from '../craft.js';
import { forgedBlocks } from './forged-blocks.js';

export const duplicateTx = forgedBlocks({
  name: 'duplicate-tx',
  summary: 'Pushes a sealed block on its tip that carries one transaction twice (its root commits to both copies).',
  honestReaction: 'Refuses a repeated transaction id within a block (BLOCK_DUPLICATE_TX); bans the sender.',
  codes: ['BLOCK_DUPLICATE_TX'],
  bans: true,
  async build(ctx, tip) {
    const tx = await forgedTx(ctx);
    const txs = [tx, tx];
    const sealed = await seal(ctx.chain, childHeader(ctx.chain, branchFrom(ctx.chain, tip), txs));
    return sealed ? [{ header: sealed, txs }] : [];
  },
});
