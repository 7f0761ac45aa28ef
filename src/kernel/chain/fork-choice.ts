import type { Logger } from 'pino';
import type { Block } from '../block.js';
import type { BlockRejection } from '../errors.js';
import type { ReorgEvent } from '../events.js';
import type { Consensus, StoreOp } from '../services.js';
import type { EntryStatus, StoreHealth } from '../store/index.js';
import { outweighs, type BlockTree, type TreeEntry } from './block-tree.js';
import { entryOp, type TipMover } from './tip-mover.js';

/** What a run of blocks has written so far, so that a failed write can be taken back from memory. */
export interface WriteJournal {
  /** The bodies and entries of the run are in the store. */
  stored: boolean;
  /** Statuses changed in memory by a verdict whose batch is not written yet. */
  marked: Array<[TreeEntry, EntryStatus]>;
}

export interface ForkChoiceParts {
  readonly tree: BlockTree;
  readonly health: StoreHealth;
  readonly consensus: Consensus;
  readonly log: Logger;
  readonly mover: TipMover;
}

/**
 * Chooses the branch to follow (the most work, see `outweighs`) and moves the tip there,
 * falling back to the next best candidate while the chosen one proves invalid.
 */
export class ForkChoice {
  constructor(private readonly parts: ForkChoiceParts) {}

  /**
   * The heaviest of the blocks a run added (the tip if none); when a failed tip move is due,
   * the best candidate of the whole tree competes too.
   */
  choose(added: readonly TreeEntry[], due: boolean): TreeEntry {
    const { tree } = this.parts;
    let best = added.length ? added.reduce((a, b) => (outweighs(b, a) ? b : a)) : tree.tip();
    if (due) {
      const candidate = tree.bestCandidate();
      if (outweighs(candidate, best)) best = candidate;
    }
    return best;
  }

  /**
   * Moves the tip to `target`, or, if a block on the way is invalid, marks it and its
   * descendants and moves to the best remaining candidate instead. `ops` (bodies and entries
   * of blocks not stored yet) go into the same batch as the tip move.
   */
  async activateBest(
    target: TreeEntry,
    pending: Map<string, Block>,
    ops: StoreOp[],
    journal: WriteJournal,
  ): Promise<{ event?: ReorgEvent; error?: BlockRejection }> {
    const { tree, health } = this.parts;
    let candidate: TreeEntry | undefined = target;
    let firstError: BlockRejection | undefined;
    let event: ReorgEvent | undefined;
    let unstored = ops;
    while (candidate && outweighs(candidate, tree.tip())) {
      const result = await this.parts.mover.move(candidate, pending, unstored);
      if (result.ok) {
        event = result.event;
        unstored = [];
        journal.stored = true;
        break;
      }
      firstError ??= result.error;
      await this.markInvalid(result.failed, unstored, journal);
      unstored = [];
      this.parts.log.warn({ hash: result.failed.hash, height: result.failed.header.height, code: result.error.code }, result.error.message);
      const next = tree.bestCandidate();
      candidate = next === tree.tip() ? undefined : next;
    }
    if (unstored.length) await health.write(unstored);
    journal.stored = true;
    return { event, error: firstError };
  }

  /**
   * Marks `failed` and its descendants invalid. The bodies are kept (other candidates may
   * need them); the verdicts are written with them, and undone in memory if that fails.
   */
  private async markInvalid(failed: TreeEntry, unstored: StoreOp[], journal: WriteJournal): Promise<void> {
    const { tree, consensus } = this.parts;
    const before = this.statusesFrom(failed);
    const marked = tree.markInvalid(failed);
    journal.marked = before;
    await this.parts.health.write([...unstored, ...marked.map((h) => entryOp(consensus, tree.get(h)!, 'invalid'))]);
    journal.stored = true;
    journal.marked = [];
  }

  /** The statuses `markInvalid(entry)` is about to change, so that they can be restored. */
  private statusesFrom(entry: TreeEntry): Array<[TreeEntry, EntryStatus]> {
    const out: Array<[TreeEntry, EntryStatus]> = [];
    const stack = [entry];
    const seen = new Set<string>();
    while (stack.length) {
      const e = stack.pop()!;
      if (seen.has(e.hash) || e.status === 'invalid') continue;
      seen.add(e.hash);
      out.push([e, e.status]);
      for (const child of this.parts.tree.childrenOf(e.hash)) stack.push(child);
    }
    return out;
  }
}
