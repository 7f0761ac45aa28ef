import type { Block, BlockHeader } from '../../../kernel/index.js';
import { noArg } from '../args.js';
import { branchFrom, childHeader, extendBranch, seal, type BranchTip } from '../craft.js';
import type { FaultContext } from '../context.js';
import type { FaultBehaviour } from '../types.js';

/** Blocks may be dated at most 2 h ahead; stay a minute inside that so every peer accepts them. */
const AHEAD_MS = 2 * 60 * 60 * 1000 - 60_000;
const MAX_DEPTH = 6;

/**
 * A fork off a recent ancestor, one block longer than the best chain above it but lighter:
 * its first block is dated far ahead, so an absolute schedule (asert) eases the targets of
 * the rest. Every block is valid; only fork choice by total work (not length) refuses it.
 */
async function lighterLongerBranch(ctx: FaultContext): Promise<Block[] | undefined> {
  const chain = ctx.chain;
  const tip = chain.tip();
  for (let depth = 2; depth <= MAX_DEPTH && tip.height - depth >= 1; depth++) {
    const fork = chain.reader.entry(chain.reader.hashAt(tip.height - depth)!)!;
    const honestWork = tip.totalWork - fork.totalWork;
    let cursor: BranchTip = branchFrom(chain, fork.hash);
    const headers: BlockHeader[] = [];
    let work = 0n;
    for (let i = 0; i <= depth; i++) {
      const header = childHeader(chain, cursor, [], Date.now() + AHEAD_MS);
      work += chain.consensus.work(header.target);
      headers.push(header);
      cursor = extendBranch(cursor, header);
    }
    if (work >= honestWork) continue;
    const blocks: Block[] = [];
    let parent = branchFrom(chain, fork.hash);
    for (const draft of headers) {
      // Targets depend on the parent's hash only through the parent header, which sealing changes: re-derive.
      const header = childHeader(chain, parent, [], draft.time);
      const sealed = await seal(chain, header);
      if (!sealed) return undefined;
      blocks.push({ header: sealed, txs: [] });
      parent = extendBranch(parent, sealed);
    }
    return blocks;
  }
  return undefined;
}

export const lessWorkChain: FaultBehaviour<undefined> = {
  name: 'less-work-chain',
  group: 'block',
  summary:
    'Pushes a valid fork that is longer than the best chain but has less total work (needs the asert difficulty policy; dated blocks ease its targets).',
  honestReaction:
    'Stores the fork as a side branch and keeps the tip with the most work: no switch, no reorg, no penalty (the blocks are valid).',
  codes: [],
  bans: false,
  needs: ['network'],
  parse: noArg('less-work-chain'),
  install(ctx) {
    let sentFor = '';
    let building = false;
    let warned = false;
    ctx.interval(2000, async () => {
      const tip = ctx.chain.tip().hash;
      if (building || sentFor === tip || !ctx.peers().length) return;
      building = true;
      try {
        const blocks = await lighterLongerBranch(ctx);
        if (!blocks) {
          if (!warned)
            ctx.log.info({ fault: 'less-work-chain' }, 'no lighter longer fork can be built here yet (needs asert and height 3+)');
          warned = true;
          return;
        }
        sentFor = tip;
        for (const peer of ctx.peers()) ctx.send(peer, { t: 'blocks', blocks });
      } finally {
        building = false;
      }
    });
  },
};
