import { noArg } from '../args.js';
import { branchFrom, childHeader, seal } from '../craft.js';
import type { FaultBehaviour } from '../types.js';

/** Two different valid blocks at one height, each to half of the peers. */
export const equivocation: FaultBehaviour<undefined> = {
  name: 'equivocation',
  group: 'block',
  summary:
    'Seals two different blocks at the next height and pushes one to half of its peers and the other to the rest (at most every 3 s).',
  honestReaction:
    'Both blocks are valid and of equal work: every node that holds both takes the one with the lower hash, so all converge on one tip without waiting for a next block. No penalty.',
  codes: [],
  bans: false,
  needs: ['network'],
  parse: noArg('equivocation'),
  install(ctx) {
    let lastFor = '';
    let busy = false;
    ctx.interval(3000, async () => {
      const peers = ctx.peers();
      const tip = ctx.chain.tip().hash;
      if (busy || peers.length < 2 || tip === lastFor) return;
      busy = true;
      try {
        const parent = branchFrom(ctx.chain, tip);
        const now = Date.now();
        const a = await seal(ctx.chain, childHeader(ctx.chain, parent, [], now));
        const b = await seal(ctx.chain, childHeader(ctx.chain, parent, [], now + 1));
        if (!a || !b) return;
        lastFor = tip;
        peers.forEach((peer, i) => ctx.send(peer, { t: 'blocks', blocks: [{ header: i % 2 ? b : a, txs: [] }] }));
      } finally {
        busy = false;
      }
    });
  },
};
