import type { Logger } from 'pino';
import type { StateView } from './app.js';
import type { Tx, UnsignedTx } from './tx/index.js';

/** A ready peer of the faulty node, as an app fault sees it: `HOST:PORT`. */
export interface AppFaultPeer {
  readonly key: string;
}

/** A fresh key of the faulty node's own, with its own nonces. */
export interface AppFaultKey {
  readonly publicKey: string;
  /** Signs the call with the next nonce, for this chain or for `chainId` (another chain's: a replay). */
  sign(call: Omit<UnsignedTx, 'from' | 'nonce'>, chainId?: string): Tx;
}

/**
 * What an app's fault acts through. The faults plugin makes one per fault at node start; its
 * timers are undone when the node stops, and an action that throws is logged, never fatal.
 */
export interface AppFaultContext {
  readonly chainId: string;
  /** The seeded random source of all faults (`--fault-seed`), so a run replays. */
  readonly random: () => number;
  readonly log: Logger;
  /** The app's own state at the best tip. */
  state(): StateView;
  tipHeight(): number;
  newKey(): AppFaultKey;
  /** Transactions the node has seen: its mempool, then the latest blocks. */
  knownTxs(limit: number): Promise<Tx[]>;
  /** Into the node's own mempool, so it is relayed and mined as any transaction. */
  submit(tx: Tx): Promise<void>;
  peers(): AppFaultPeer[];
  /** Straight to one peer in a `txs` message, past the node's own checks. */
  sendTxs(peer: AppFaultPeer, txs: readonly Tx[]): void;
  interval(ms: number, fn: () => unknown): void;
  /** Acts on each ready peer about every `everyMs` (±25 %; default: the forgeries' 1.5 s). */
  everyPeer(act: (peer: AppFaultPeer) => unknown, everyMs?: number): void;
}

/**
 * A misbehaviour around an app's own transactions, shipped by the app (`ChainApp.faults`) so
 * that the faults plugin needs no app of its own: `--fault NAME` finds it among the node's apps.
 * `honestReaction` is what a correct peer does about it and `codes` the rejection codes it counts
 * it under (empty when nothing is a rejection). It acts on the network, listed with the
 * transaction faults.
 */
export interface AppFault<A = unknown> {
  readonly name: string;
  /** Argument syntax for help, e.g. `ELECTION`; undefined for a fault without one. */
  readonly arg?: string;
  readonly summary: string;
  readonly honestReaction: string;
  readonly codes: readonly string[];
  /** Whether an honest peer bans the faulty node for it. */
  readonly bans: boolean;
  /**
   * Checks the argument; throws an Error whose message says what is wrong (shown as
   * `--fault NAME: message`). Without one, the fault takes no argument.
   */
  parse?(arg: string | undefined): A;
  install(ctx: AppFaultContext, arg: A): void;
}

/** Identity helper that checks an app fault and keeps its argument type. */
export function defineAppFault<A>(fault: AppFault<A>): AppFault<A> {
  return fault;
}
