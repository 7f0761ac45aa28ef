import { setTimeout as sleep } from 'node:timers/promises';
import type { Block } from '../../../kernel/index.js';
import { integer } from '../args.js';
import { branchFrom, childHeader, extendBranch, seal, type BranchTip } from '../craft.js';
import type { FaultBehaviour } from '../types.js';

const MAX_PRIVATE = 200;
/** Easy test targets seal in microseconds: a private block at most this often keeps the CPU for the others. */
const MIN_BLOCK_MS = 150;

/**
 * Selfish mining: a private branch is mined in secret from the tip, then released whole once it
 * has N blocks and more work than the public chain above the fork.
 */
export const withholding: FaultBehaviour<number> = {
  name: 'withholding',
  group: 'block',
  arg: 'N',
  summary: 'Mines N blocks (default 3) in secret on its tip, then releases the branch at once when it outweighs the public chain.',
  honestReaction:
    'The branch is valid: nodes switch to it by total work (a reorg), return the losing blocks’ transactions to the mempool and mine them again; no transaction is lost. No penalty.',
  codes: [],
  bans: false,
  needs: ['network'],
  parse: integer('withholding', 'the number of blocks to withhold', 3, 1, 100),
  install(ctx, n) {
    let stopped = false;
    const chain = ctx.chain;
    const run = async () => {
      while (!stopped) {
        const fork = chain.reader.entry(chain.tip().hash)!;
        let branch: BranchTip = branchFrom(chain, fork.hash);
        const blocks: Block[] = [];
        let work = fork.totalWork;
        while (!stopped && blocks.length < MAX_PRIVATE) {
          const started = Date.now();
          const header = await seal(chain, childHeader(chain, branch, []));
          if (!header) break;
          blocks.push({ header, txs: [] });
          branch = extendBranch(branch, header);
          work += chain.consensus.work(header.target);
          if (blocks.length >= n && work > chain.tip().totalWork) break;
          await sleep(Math.max(0, MIN_BLOCK_MS - (Date.now() - started)));
        }
        if (stopped) return;
        if (work > chain.tip().totalWork) {
          ctx.log.warn({ fault: 'withholding', blocks: blocks.length }, 'releasing a withheld branch');
          for (const peer of ctx.peers()) ctx.send(peer, { t: 'blocks', blocks: blocks.slice(-500) });
          await chain.submitBlocks(blocks);
        }
        await sleep(1000);
      }
    };
    ctx.timeout(1000, () => run());
    ctx.onStop(() => (stopped = true));
  },
};
