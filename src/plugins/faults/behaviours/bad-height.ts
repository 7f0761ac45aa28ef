import { branchFrom, childHeader, seal } from '../craft.js';
import { forgedBlocks } from './forged-blocks.js';

export const badHeight = forgedBlocks({
  name: 'bad-height',
  summary: 'Pushes a sealed block on its tip that claims a height 5 above its parent.',
  honestReaction: 'Checks the height against the parent and rejects the block (BLOCK_BAD_HEIGHT); bans the sender.',
  codes: ['BLOCK_BAD_HEIGHT'],
  bans: true,
  async build(ctx, tip) {
    const header = childHeader(ctx.chain, branchFrom(ctx.chain, tip), []);
    header.height += 5;
    const sealed = await seal(ctx.chain, header);
    return sealed ? [{ header: sealed, txs: [] }] : [];
  },
});
