import { branchFrom, childHeader, forgedTx, seal } from '../craft.js';
import { forgedBlocks } from './forged-blocks.js';

export const invalidTxBlock = forgedBlocks({
  name: 'invalid-tx-block',
  summary: 'Pushes a block on its tip that is valid in every way except one transaction whose signature is forged.',
  honestReaction: 'Checks every transaction of a block and rejects it (BLOCK_BAD_TX); bans the sender.',
  codes: ['BLOCK_BAD_TX'],
  bans: true,
  async build(ctx, tip) {
    const txs = [await forgedTx(ctx)];
    const sealed = await seal(ctx.chain, childHeader(ctx.chain, branchFrom(ctx.chain, tip), txs));
    return sealed ? [{ header: sealed, txs }] : [];
  },
});
