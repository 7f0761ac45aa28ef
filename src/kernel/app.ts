import type { AppFault } from './app-faults.js';
import type { Tx } from './tx/index.js';

/** Read access to one app's state. Values are JSON; what `get` returns is the caller's own copy. */
export interface StateView {
  get<T = unknown>(key: string): T | undefined;
  has(key: string): boolean;
  /** Entries whose key starts with `prefix`, in key order. O(app state): keep indexes for hot queries. */
  entries<T = unknown>(prefix: string): Array<[string, T]>;
}

export interface StateWriter extends StateView {
  put(key: string, value: unknown): void;
  del(key: string): void;
}

/**
 * What a check or reducer may know besides state and transaction. Reducers are deterministic:
 * no clock, no randomness, no I/O; all they need is here.
 */
export interface TxContext {
  readonly chainId: string;
  /** Height of the block that includes the transaction; tip height + 1 on the mempool path. */
  readonly height: number;
  /** The including block's timestamp (ms); on the mempool path, the template's. */
  readonly time: number;
  /** The including block's hash; undefined on the mempool path. */
  readonly blockHash?: string;
  readonly txId: string;
  /** Publishes an app event once its block is on the best chain (e.g. `ballot.counted`). */
  emit(event: string, data: unknown): void;
}

export interface TxHandler<P = unknown> {
  /** JSON Schema of the payload, compiled once with ajv at node start. */
  readonly schema: object;
  /** Stateful rule; throws AppRejection to refuse. Runs on the mempool path and the block path alike. */
  check?(state: StateView, tx: Tx & { payload: P }, ctx: TxContext): void;
  /** Deterministic reducer. */
  apply(state: StateWriter, tx: Tx & { payload: P }, ctx: TxContext): void;
}

export type Query = (state: StateView, args: Record<string, unknown>) => unknown;

/**
 * A chain app: the payload types it accepts and what they do to its state. The kernel keeps
 * each app's state in its own namespace, persists it with the block that changed it, and
 * undoes it on a reorg: apps never see forks.
 */
export interface ChainApp {
  readonly id: string;
  readonly description?: string;
  /** Initial state entries, from the chain parameters' `appParams[id]`. */
  genesis?(params: unknown): Record<string, unknown>;
  // Payload types differ per handler; `any` here lets each handler name its own payload type.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly tx: Record<string, TxHandler<any>>;
  readonly queries: Record<string, Query>;
  /** Misbehaviours around this app's transactions, for `--fault NAME` (the faults plugin runs them). */
  readonly faults?: readonly AppFault[];
}

/** Identity helper that keeps the literal types of an app definition. */
export function defineApp<A extends ChainApp>(app: A): A {
  return app;
}
