import type { Store, StoreOp } from '../../kernel/index.js';

/** Called with each batch as it is handed to the real store, and the promise of its write. */
export type BatchHook = (ops: readonly StoreOp[], write: Promise<void>, count: number) => void;

/** Wraps the node's store so that a crash fault can strike while a batch is being written. */
export class FaultyStore implements Store {
  private readonly hooks: BatchHook[] = [];
  private batches = 0;

  constructor(readonly inner: Store) {}

  get location(): string {
    return this.inner.location;
  }

  onBatch(hook: BatchHook): void {
    this.hooks.push(hook);
  }

  start(): Promise<void> | void {
    return this.inner.start?.();
  }

  stop(): Promise<void> | void {
    return this.inner.stop?.();
  }

  get(key: string): Promise<string | undefined> {
    return this.inner.get(key);
  }

  iterate(prefix: string): AsyncIterable<[string, string]> {
    return this.inner.iterate(prefix);
  }

  batch(ops: readonly StoreOp[]): Promise<void> {
    const write = this.inner.batch(ops);
    this.batches++;
    for (const hook of this.hooks) hook(ops, write, this.batches);
    return write;
  }
}
