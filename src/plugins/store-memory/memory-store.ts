import { StoreError } from '../../kernel/index.js';
import type { Store, StoreOp } from '../../kernel/index.js';
import { checkedOps } from '../../kernel/index.js';
import { compareKeys } from './key-order.js';

/**
 * A Store held in memory, for tests and simulation: a Map for values plus the keys kept
 * sorted (binary search on write), so a prefix scan costs its result, not the whole store.
 * Data outlives stop() and start() on the same instance, as a closed database would.
 */
export class MemoryStore implements Store {
  private readonly values = new Map<string, string>();
  private readonly sortedKeys: string[] = [];
  private open = false;

  constructor(readonly location: string = 'memory') {}

  start(): void {
    this.open = true;
  }

  stop(): void {
    this.open = false;
  }

  async get(key: string): Promise<string | undefined> {
    this.assertOpen();
    return this.values.get(key);
  }

  async batch(ops: readonly StoreOp[]): Promise<void> {
    this.assertOpen();
    for (const op of checkedOps(ops, this.location)) {
      if (op.type === 'put') this.put(op.key, op.value);
      else this.del(op.key);
    }
  }

  async *iterate(prefix: string): AsyncIterable<[string, string]> {
    this.assertOpen();
    // Copied before the first yield: a batch made while the caller walks the result must
    // not change it, as a LevelDB iterator reads from a snapshot.
    const entries: [string, string][] = [];
    for (let i = this.lowerBound(prefix); i < this.sortedKeys.length; i++) {
      const key = this.sortedKeys[i]!;
      if (!key.startsWith(prefix)) break;
      entries.push([key, this.values.get(key)!]);
    }
    yield* entries;
  }

  private put(key: string, value: string): void {
    if (!this.values.has(key)) this.sortedKeys.splice(this.lowerBound(key), 0, key);
    this.values.set(key, value);
  }

  private del(key: string): void {
    if (!this.values.delete(key)) return;
    this.sortedKeys.splice(this.lowerBound(key), 1);
  }

  /** Index of the first key not below `key`. */
  private lowerBound(key: string): number {
    let low = 0;
    let high = this.sortedKeys.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareKeys(this.sortedKeys[mid]!, key) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private assertOpen(): void {
    if (!this.open)
      throw new StoreError('STORE_CLOSED', `the store at ${this.location} is not open: start it first`, { location: this.location });
  }
}
