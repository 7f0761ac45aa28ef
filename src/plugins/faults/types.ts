import type { FaultContext } from './context.js';

/** One fault as typed: `--fault NAME[=ARG]`. */
export interface FaultSpec {
  name: string;
  arg?: string;
}

export type FaultGroup = 'chain' | 'block' | 'tx' | 'message' | 'network' | 'crash';

/** What a behaviour needs from the node beyond its chain: decides which tokens the plugin needs. */
export type FaultNeed = 'network' | 'discovery' | 'transport' | 'store' | 'miner';

/**
 * One misbehaviour a node can be told to commit. `honestReaction` is what a correct peer must
 * do about it, and `codes` the rejection codes under which that peer counts it (empty when the
 * defence is not a rejection, such as fork choice).
 */
export interface FaultBehaviour<A = unknown> {
  readonly name: string;
  readonly group: FaultGroup;
  /** Argument syntax for help, e.g. `P` or `MS[±J]`; undefined for a fault without one. */
  readonly arg?: string;
  readonly summary: string;
  readonly honestReaction: string;
  readonly codes: readonly string[];
  /** Whether an honest peer bans the faulty node for it. */
  readonly bans: boolean;
  readonly needs: readonly FaultNeed[];
  /** Validates the argument (throws FaultError); the value is handed to `install`. */
  parse(arg: string | undefined): A;
  /** Starts misbehaving; timers and hooks go through the context, which undoes them at stop. */
  install(ctx: FaultContext, arg: A): void;
}
