import type { Block } from '../block.js';

interface Orphan {
  block: Block;
  txIds: string[];
  source: string;
  bytes: number;
}

export interface OrphanPoolOptions {
  /** Bytes of all orphans together, and of those one source sent. */
  maxBytes: number;
  maxBytesPerSource: number;
  maxCount: number;
}

export const DEFAULT_ORPHAN_POOL: OrphanPoolOptions = { maxBytes: 32 * 1024 * 1024, maxBytesPerSource: 4 * 1024 * 1024, maxCount: 1024 };

/**
 * Blocks whose parent we have not seen yet, waiting for it. Only blocks that passed every
 * check that needs no parent get here (structure, seal, a target within the chain's limit,
 * ids, root and signatures), so a mutant body under a real header is refused at once and can
 * never take the real block's place. Bounded by bytes, overall and per source: a source over
 * its share loses its own oldest orphans, never another's.
 */
export class OrphanPool {
  private readonly byHash = new Map<string, Orphan>();
  private readonly bySource = new Map<string, number>();
  private total = 0;

  constructor(private readonly options: OrphanPoolOptions = DEFAULT_ORPHAN_POOL) {}

  get size(): number {
    return this.byHash.size;
  }

  get bytes(): number {
    return this.total;
  }

  has(hash: string): boolean {
    return this.byHash.has(hash);
  }

  add(hash: string, block: Block, txIds: string[], source: string, bytes: number): void {
    if (this.byHash.has(hash) || bytes > this.options.maxBytesPerSource) return;
    while ((this.bySource.get(source) ?? 0) + bytes > this.options.maxBytesPerSource) this.evict((o) => o.source === source);
    while (this.total + bytes > this.options.maxBytes || this.byHash.size >= this.options.maxCount) this.evict(() => true);
    this.byHash.set(hash, { block, txIds, source, bytes });
    this.bySource.set(source, (this.bySource.get(source) ?? 0) + bytes);
    this.total += bytes;
  }

  /** Removes and returns the orphans whose parent is `parentHash`. */
  takeChildren(parentHash: string): Array<[string, Block, string[]]> {
    const children: Array<[string, Block, string[]]> = [];
    for (const [hash, o] of this.byHash) if (o.block.header.prev === parentHash) children.push([hash, o.block, o.txIds]);
    for (const [hash] of children) this.remove(hash);
    return children;
  }

  /** The oldest missing ancestor we could ask a peer for, per orphan chain. */
  missingParents(): string[] {
    const missing = new Set<string>();
    for (const o of this.byHash.values()) if (!this.byHash.has(o.block.header.prev)) missing.add(o.block.header.prev);
    return [...missing];
  }

  private evict(match: (o: Orphan) => boolean): void {
    for (const [hash, o] of this.byHash) {
      if (match(o)) {
        this.remove(hash);
        return;
      }
    }
  }

  private remove(hash: string): void {
    const o = this.byHash.get(hash);
    if (!o) return;
    this.byHash.delete(hash);
    this.total -= o.bytes;
    const left = (this.bySource.get(o.source) ?? 0) - o.bytes;
    if (left > 0) this.bySource.set(o.source, left);
    else this.bySource.delete(o.source);
  }
}
