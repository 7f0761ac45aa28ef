import type { Store, StoreError, StoreOp } from '../../kernel/index.js';

/** Called with each batch as it is handed to the real store, and the promise of its write. */
export type BatchHook = (ops: readonly StoreOp[], write: Promise<void>, count: number) => void;

/** Decides, before the real store sees a batch, that it fails (as a full disk would): the error, or undefined. */
export type BatchGate = (ops: readonly StoreOp[]) => StoreError | undefined;

/**
 * Wraps the node's store so that a crash fault can strike while a batch is being written, and
 * a full-disk fault can refuse batches before they reach it.
 */
export class FaultyStore implements Store {
  private readonly hooks: BatchHook[] = [];
  private readonly gates: BatchGate[] = [];
  private batches = 0;

  constructor(readonly inner: Store) {}

  get location(): string {
    return this.inner.location;
  }

  onBatch(hook: BatchHook): void {
    this.hooks.push(hook);
  }

  gate(gate: BatchGate): void {
    this.gates.push(gate);
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

  recover(): Promise<boolean> {
    return this.inner.recover?.() ?? Promise.resolve(true);
  }

  batch(ops: readonly StoreOp[]): Promise<void> {
    for (const gate of this.gates) {
      const refusal = gate(ops);
      if (refusal) return Promise.reject(refusal);
    }
    const write = this.inner.batch(ops);
    this.batches++;
    for (const hook of this.hooks) hook(ops, write, this.batches);
    return write;
  }
}
