import { inject, injectable } from 'tsyringe';
import type { Block } from '../block.js';
import { BlockRejection } from '../errors.js';
import type { Consensus } from '../services.js';
import { CONSENSUS } from '../tokens.js';
import { DEFAULT_ORPHAN_POOL, type OrphanPoolOptions } from './orphan-pool.js';

/** Which blocks whose parent we lack are worth keeping, and how many of them (ORPHAN_POLICY). */
export interface OrphanPolicy {
  readonly limits: OrphanPoolOptions;
  /**
   * Throws a BlockRejection for an orphan not worth its memory. Runs before its transactions
   * are checked (the engine does that next, for every orphan), so it should be cheap.
   */
  screen(block: Block): void;
}

/**
 * The kernel's policy: an orphan's target must be within the chain's limit, so that it cost
 * real work at the easiest difficulty the chain ever asks; the pool keeps its default bounds.
 */
@injectable()
export class DefaultOrphanPolicy implements OrphanPolicy {
  readonly limits = DEFAULT_ORPHAN_POOL;

  constructor(@inject(CONSENSUS) private readonly consensus: Consensus) {}

  screen(block: Block): void {
    if (this.consensus.work(block.header.target) < this.consensus.work(this.consensus.maxTarget))
      throw new BlockRejection(
        'BLOCK_BAD_TARGET',
        `block claims target ${block.header.target.slice(0, 16)}…, easier than this chain allows`,
      );
  }
}
