import type { BlockHeader } from '../block.js';
import type { EntryStatus } from '../store/index.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface TreeEntry {
  readonly hash: string;
  readonly header: BlockHeader;
  readonly parent: TreeEntry | undefined;
  /** Cumulative work from genesis up to and including this block. */
  readonly totalWork: bigint;
  /** The height-1 block of this entry's branch: the anchor of absolute difficulty schedules. */
  readonly anchor: TreeEntry | undefined;
  status: EntryStatus;
}

/**
 * Fork choice: the branch with more cumulative work wins; at equal work, the lower tip hash.
 * First-seen would leave nodes that saw two equal blocks in a different order on different
 * tips until someone mines again, and nodes that mine only on demand may never do so (two
 * halves of a healed partition at one height stay split for good). A hash order makes every
 * node pick the same tip from the same blocks.
 */
export function outweighs(a: TreeEntry, b: TreeEntry): boolean {
  return a.totalWork > b.totalWork || (a.totalWork === b.totalWork && a.hash < b.hash);
}

/**
 * Every block header we hold a body for, linked to its parent, with cumulative work: the
 * fork-choice view. The best chain itself is kept as an array of hashes by height, so a block
 * at a height is found without walking.
 */
export class BlockTree {
  private readonly entries = new Map<string, TreeEntry>();
  private readonly children = new Map<string, string[]>();
  private best: string[] = [];

  get size(): number {
    return this.entries.size;
  }

  get(hash: string): TreeEntry | undefined {
    return this.entries.get(hash);
  }

  has(hash: string): boolean {
    return this.entries.has(hash);
  }

  add(hash: string, header: BlockHeader, work: bigint, status: EntryStatus): TreeEntry {
    const parent = this.entries.get(header.prev);
    const entry: Mutable<TreeEntry> = { hash, header, parent, totalWork: (parent?.totalWork ?? 0n) + work, anchor: parent?.anchor, status };
    if (header.height === 1) entry.anchor = entry;
    this.entries.set(hash, entry);
    const siblings = this.children.get(header.prev);
    if (siblings) siblings.push(hash);
    else this.children.set(header.prev, [hash]);
    return entry;
  }

  /**
   * Takes back a block added by a run whose store batch failed: it was never stored, so it
   * must not be known. Only a leaf off the best chain can go (callers remove newest first).
   */
  remove(hash: string): void {
    const entry = this.entries.get(hash);
    if (!entry) return;
    if (this.isOnBestChain(entry) || this.children.get(hash)?.length) throw new Error(`block ${hash} is not a removable leaf`);
    this.entries.delete(hash);
    this.children.delete(hash);
    const siblings = this.children.get(entry.header.prev);
    if (!siblings) return;
    const at = siblings.indexOf(hash);
    if (at >= 0) siblings.splice(at, 1);
    if (siblings.length === 0) this.children.delete(entry.header.prev);
  }

  childrenOf(hash: string): TreeEntry[] {
    return (this.children.get(hash) ?? []).map((h) => this.entries.get(h)!);
  }

  tip(): TreeEntry {
    return this.entries.get(this.best[this.best.length - 1]!)!;
  }

  height(): number {
    return this.best.length - 1;
  }

  hashAt(height: number): string | undefined {
    return this.best[height];
  }

  isOnBestChain(entry: TreeEntry): boolean {
    return this.best[entry.header.height] === entry.hash;
  }

  setBestChain(hashes: string[]): void {
    this.best = hashes;
  }

  /** Replaces the best chain from `forkHeight + 1` with `branch` (hashes in height order). */
  switchBranch(forkHeight: number, branch: readonly string[]): void {
    this.best.length = forkHeight + 1;
    this.best.push(...branch);
  }

  /** Blocks from the fork point (exclusive) up to `entry`, oldest first, and the fork point. */
  branchTo(entry: TreeEntry): { fork: TreeEntry; branch: TreeEntry[] } {
    const branch: TreeEntry[] = [];
    let cursor: TreeEntry | undefined = entry;
    while (cursor && !this.isOnBestChain(cursor)) {
      branch.push(cursor);
      cursor = cursor.parent;
    }
    if (!cursor) throw new Error(`block ${entry.hash} does not descend from genesis`);
    return { fork: cursor, branch: branch.reverse() };
  }

  /** Median of the timestamps of up to 11 blocks ending at `entry` (Bitcoin's rule). */
  medianTimePast(entry: TreeEntry): number {
    const times: number[] = [];
    let cursor: TreeEntry | undefined = entry;
    for (let i = 0; i < 11 && cursor; i++, cursor = cursor.parent) times.push(cursor.header.time);
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)]!;
  }

  hasInvalidAncestor(entry: TreeEntry): boolean {
    for (let cursor: TreeEntry | undefined = entry; cursor; cursor = cursor.parent) if (cursor.status === 'invalid') return true;
    return false;
  }

  /** Marks a block and every descendant invalid; returns the hashes marked. */
  markInvalid(entry: TreeEntry): string[] {
    const marked: string[] = [];
    const stack = [entry.hash];
    while (stack.length) {
      const hash = stack.pop()!;
      const e = this.entries.get(hash);
      if (!e || e.status === 'invalid') continue;
      e.status = 'invalid';
      marked.push(hash);
      stack.push(...(this.children.get(hash) ?? []));
    }
    return marked;
  }

  /** The entry that outweighs every other not known to be invalid: the fork-choice winner. */
  bestCandidate(): TreeEntry {
    let best = this.tip();
    for (const entry of this.entries.values()) {
      if (outweighs(entry, best) && !this.hasInvalidAncestor(entry)) best = entry;
    }
    return best;
  }
}
