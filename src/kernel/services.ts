import type { Block, BlockHeader } from './block.js';

/** A service with a life. Both methods are idempotent so a failed start can always be stopped. */
export interface Service {
  start?(): Promise<void> | void;
  stop?(): Promise<void> | void;
}

/** Time is an input, so tests and simulation can drive it. Unix milliseconds. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export type StoreOp = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

/**
 * An ordered string key-value store with atomic batches. The kernel owns the key layout
 * (see chain-store.ts); a store plugin only has to keep bytes and apply a batch all or nothing.
 */
export interface Store extends Service {
  /** Where the data lives, for messages (a path, or `memory`). */
  readonly location: string;
  get(key: string): Promise<string | undefined>;
  batch(ops: readonly StoreOp[]): Promise<void>;
  /** Keys with the given prefix, in key order. */
  iterate(prefix: string): AsyncIterable<[string, string]>;
  /**
   * After a failed write, whatever the store must do before it can be written to again
   * (LevelDB: reopen once the disk has room); true when it can. Optional: a store whose
   * writes leave nothing behind when they fail needs none.
   */
  recover?(): Promise<boolean>;
}

/**
 * A consensus engine decides what a valid seal is and how much work a block proves.
 * Targets and hashes are 64-char lowercase hex: a seal is valid when `hash <= target`.
 */
export interface Consensus extends Service {
  readonly policy: string;
  /**
   * The target a child of `parent` must meet. `anchor` is the block at height 1 of the
   * parent's branch (undefined while the parent is genesis): absolute schedules (ASERT) are
   * anchored there, not at genesis, because the genesis time is fixed by the chain
   * parameters and may lie months before the network is started. A child of genesis, and
   * the anchor's child, get `initialTarget`.
   */
  nextTarget(parent: BlockHeader, anchor: BlockHeader | undefined): string;
  checkSeal(header: BlockHeader, hash: string): boolean;
  /** The easiest target any block of this chain can need (Bitcoin's powLimit): orphans are held to it before their parent is known. */
  readonly maxTarget: string;
  /** Expected hashes to meet `target`: 2^256 / (target + 1). */
  work(target: string): bigint;
  /**
   * Searches nonces until the header meets its target; resolves with the sealed header, or
   * null when `signal` aborts (within 50 ms).
   */
  seal(header: BlockHeader, signal: AbortSignal): Promise<BlockHeader | null>;
}

export interface PeerAddress {
  host: string;
  port: number;
}

/** The one spelling of an address as a map key (and in logs, status and bans): `host:port`. */
export const peerKey = (a: PeerAddress): string => `${a.host}:${a.port}`;

/** Carries opaque messages of any size between peers; framing and fragmentation are its business. */
export interface Transport extends Service {
  readonly address: PeerAddress;
  send(to: PeerAddress, message: Uint8Array): void;
  onMessage(handler: (from: PeerAddress, message: Buffer) => void): void;
  /** Counters of the transport's own edge (malformed datagrams, rate-limited, dropped), for `node status`. */
  stats?(): Readonly<Record<string, number>>;
}

/** Where peers come from: a tracker, a static list, peer exchange. */
export interface Discovery extends Service {
  peers(): PeerAddress[];
  onChange(handler: (peers: PeerAddress[]) => void): void;
  /**
   * A reachability probe carrying `token` arrived on the transport from `from`. A discovery
   * that registered this node somewhere (a tracker) proves with it that the registered
   * address receives; others ignore it. Never answered on the transport: the source is unproven.
   */
  probed?(token: string, from: PeerAddress): void;
  /**
   * Addresses other nodes told this one about (peer exchange): hearsay, so the input is
   * untrusted and bounded by the discovery. Returns how many were new. A discovery without it
   * offers only the peers it found itself.
   */
  addPeers?(list: readonly unknown[]): number;
  /**
   * Registers this node again under each of `ports`, wherever the discovery registers it (a
   * tracker), next to its real registration and kept alive the same way; the returned
   * function withdraws them. Only the faults plugin uses it (made-up ports, `bogus-peers`): an
   * honest node has one address. A discovery that registers nowhere has nothing to do.
   */
  advertise?(ports: readonly number[]): () => void;
}

export type { Block, BlockHeader };
