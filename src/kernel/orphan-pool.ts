import type { Block } from './block.js';

/**
 * Blocks whose parent we have not seen yet, waiting for it. Bounded by count; the oldest is
 * dropped first, since a peer that floods orphans must not grow our memory.
 */
export class OrphanPool {
  private readonly byHash = new Map<string, Block>();

  constructor(private readonly limit = 256) {}

  get size(): number {
    return this.byHash.size;
  }

  has(hash: string): boolean {
    return this.byHash.has(hash);
  }

  add(hash: string, block: Block): void {
    if (this.byHash.has(hash)) return;
    if (this.byHash.size >= this.limit) this.byHash.delete(this.byHash.keys().next().value!);
    this.byHash.set(hash, block);
  }

  /** Removes and returns the orphans whose parent is `parentHash`. */
  takeChildren(parentHash: string): Array<[string, Block]> {
    const children: Array<[string, Block]> = [];
    for (const [hash, block] of this.byHash) if (block.header.prev === parentHash) children.push([hash, block]);
    for (const [hash] of children) this.byHash.delete(hash);
    return children;
  }

  /** The oldest missing ancestor we could ask a peer for, per orphan chain. */
  missingParents(): string[] {
    const missing = new Set<string>();
    for (const block of this.byHash.values()) if (!this.byHash.has(block.header.prev)) missing.add(block.header.prev);
    return [...missing];
  }
}
