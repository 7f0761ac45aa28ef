import { branchFrom, childHeader, sealEasy } from '../craft.js';
import { forgedBlocks } from './forged-blocks.js';

const EASIEST = 'f'.repeat(64);

export const badTarget = forgedBlocks({
  name: 'bad-target',
  summary: 'Pushes a block on its tip that claims an easier target than the chain requires (so it is cheap to seal).',
  honestReaction: 'Recomputes the target from the parent and rejects the block (BLOCK_BAD_TARGET); bans the sender.',
  codes: ['BLOCK_BAD_TARGET'],
  bans: true,
  build(ctx, tip) {
    const header = childHeader(ctx.chain, branchFrom(ctx.chain, tip), []);
    // Any target but the required one; when the chain already requires the easiest, half of it.
    header.target = header.target === EASIEST ? '7' + 'f'.repeat(63) : EASIEST;
    return [{ header: sealEasy(ctx.chain, header), txs: [] }];
  },
});
