import { merkleRoot, txId } from '../../../kernel/index.js';
import { branchFrom, childHeader, forgedTx, seal } from '../craft.js';
import { forgedBlocks } from './forged-blocks.js';

export const badTxRoot = forgedBlocks({
  name: 'bad-tx-root',
  summary: 'Pushes a sealed block on its tip whose transaction root does not match its transactions.',
  honestReaction: 'Recomputes the Merkle root and rejects the block (BLOCK_BAD_TX_ROOT); bans the sender.',
  codes: ['BLOCK_BAD_TX_ROOT'],
  bans: true,
  async build(ctx, tip) {
    const tx = await forgedTx(ctx);
    const header = childHeader(ctx.chain, branchFrom(ctx.chain, tip), []);
    // Commits to a transaction the body does not carry: an empty body with a non-empty root.
    header.txRoot = merkleRoot([txId(ctx.chain.chainId, tx)]);
    const sealed = await seal(ctx.chain, header);
    return sealed ? [{ header: sealed, txs: [] }] : [];
  },
});
