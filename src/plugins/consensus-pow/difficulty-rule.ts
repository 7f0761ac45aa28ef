import type { BlockHeader } from '../../kernel/index.js';

/**
 * How the target of the next block follows from its parent and, for absolute schedules, from
 * the anchor: the height-1 block of the parent's branch (undefined while the parent is genesis).
 */
export interface DifficultyRule {
  nextTarget(parent: BlockHeader, anchor: BlockHeader | undefined): string;
  /** The easiest target the rule ever gives (Bitcoin's powLimit). */
  readonly maxTarget: string;
}
