import { createHash, randomBytes } from 'node:crypto';
import { peerKey, type Clock, type PeerAddress } from '../services.js';
import { netGroup } from './net-group.js';

/** Where an address came from: discovery (tracker, `--peer`) is trusted to introduce; exchange is hearsay. */
export type AddressSource = 'discovery' | 'exchange';

export interface AddressEntry {
  readonly key: string;
  readonly address: PeerAddress;
  source: AddressSource;
  attempts: number;
  nextAttemptAt: number;
  lastSuccess: number;
}

export interface AddressBookOptions {
  /** Addresses from discovery; the tracker lists at most 3,000 per network. */
  maxDiscovery: number;
  /** Exchange table: buckets x slots, and how many buckets one source group can reach. */
  buckets: number;
  bucketSize: number;
  bucketsPerSourceGroup: number;
  /** Retry delay after a failed attempt: doubles from `minRetryMs` up to the cap of its source. */
  minRetryMs: number;
  maxRetryDiscoveryMs: number;
  maxRetryExchangeMs: number;
}

export const DEFAULT_ADDRESS_BOOK: AddressBookOptions = {
  maxDiscovery: 4096,
  buckets: 256,
  bucketSize: 16,
  bucketsPerSourceGroup: 16,
  minRetryMs: 1000,
  maxRetryDiscoveryMs: 10_000,
  maxRetryExchangeMs: 5 * 60_000,
};

/**
 * Addresses we might dial, kept apart from peers (Bitcoin Core's addrman). Discovery's list is
 * replaced whenever discovery changes. Exchanged addresses go to a fixed table of buckets; the
 * bucket is chosen by a keyed hash of the telling peer's network group and the address's, and
 * one source group reaches only `bucketsPerSourceGroup` buckets, so no single source, however
 * many addresses it sends, can push out what others told us. Nothing here is a peer: an entry
 * costs a dial attempt on a backoff schedule and nothing else.
 */
export class AddressBook {
  private readonly discovered = new Map<string, AddressEntry>();
  private readonly table: Array<Array<AddressEntry | undefined>>;
  private readonly where = new Map<string, [number, number]>();
  private readonly secret = randomBytes(16);

  constructor(
    private readonly clock: Clock,
    readonly options: AddressBookOptions = DEFAULT_ADDRESS_BOOK,
  ) {
    this.table = Array.from({ length: options.buckets }, () => new Array<AddressEntry | undefined>(options.bucketSize));
  }

  get size(): { discovery: number; exchange: number } {
    return { discovery: this.discovered.size, exchange: this.where.size };
  }

  /** Discovery's whole current list: entries already known keep their attempt history. */
  setDiscovered(addresses: readonly PeerAddress[]): void {
    const next = new Map<string, AddressEntry>();
    for (const address of addresses) {
      if (next.size >= this.options.maxDiscovery) break;
      const key = peerKey(address);
      next.set(key, this.discovered.get(key) ?? this.entry(address, 'discovery'));
    }
    this.discovered.clear();
    for (const [k, v] of next) this.discovered.set(k, v);
  }

  isDiscovered(address: PeerAddress): boolean {
    return this.discovered.has(peerKey(address));
  }

  /** Addresses a peer told us of. Returns how many were new. */
  addExchanged(addresses: readonly PeerAddress[], from: PeerAddress): number {
    let added = 0;
    const sourceGroup = netGroup(from.host);
    for (const address of addresses) {
      const key = peerKey(address);
      if (this.discovered.has(key) || this.where.has(key)) continue;
      const [b, s] = this.slotFor(address, sourceGroup);
      const current = this.table[b]![s];
      // A known-good address is not displaced by hearsay; a failing one is.
      if (current && !(current.lastSuccess === 0 && current.attempts >= 3)) continue;
      if (current) this.where.delete(current.key);
      this.table[b]![s] = this.entry(address, 'exchange');
      this.where.set(key, [b, s]);
      added++;
    }
    return added;
  }

  /** Entries whose retry time has come, discovery first, in a stable order. */
  due(): AddressEntry[] {
    const now = this.clock.now();
    const out = [...this.discovered.values()].filter((e) => e.nextAttemptAt <= now);
    for (const [b, s] of this.where.values()) {
      const e = this.table[b]![s]!;
      if (e.nextAttemptAt <= now) out.push(e);
    }
    return out;
  }

  get(address: PeerAddress): AddressEntry | undefined {
    const key = peerKey(address);
    const found = this.discovered.get(key);
    if (found) return found;
    const at = this.where.get(key);
    return at ? this.table[at[0]]![at[1]] : undefined;
  }

  /** An attempt was made: the next one waits, longer each time until a success. */
  attempted(address: PeerAddress): void {
    const e = this.get(address);
    if (!e) return;
    const cap = e.source === 'discovery' ? this.options.maxRetryDiscoveryMs : this.options.maxRetryExchangeMs;
    const delay = Math.min(cap, this.options.minRetryMs * 2 ** Math.min(e.attempts, 20));
    e.attempts++;
    e.nextAttemptAt = this.clock.now() + delay;
  }

  succeeded(address: PeerAddress): void {
    const e = this.get(address);
    if (!e) return;
    e.attempts = 0;
    e.lastSuccess = this.clock.now();
  }

  /** A few good addresses to tell a peer about: those that worked lately. */
  shareable(limit: number): PeerAddress[] {
    const good = [...this.discovered.values(), ...[...this.where.values()].map(([b, s]) => this.table[b]![s]!)]
      .filter((e) => e.lastSuccess > 0)
      .sort((a, b) => b.lastSuccess - a.lastSuccess);
    return good.slice(0, limit).map((e) => e.address);
  }

  private entry(address: PeerAddress, source: AddressSource): AddressEntry {
    return {
      key: peerKey(address),
      address: { host: address.host, port: address.port },
      source,
      attempts: 0,
      nextAttemptAt: 0,
      lastSuccess: 0,
    };
  }

  private slotFor(address: PeerAddress, sourceGroup: string): [number, number] {
    const o = this.options;
    const inner = this.hash(`g|${netGroup(address.host)}|${sourceGroup}`) % o.bucketsPerSourceGroup;
    const bucket = this.hash(`b|${sourceGroup}|${inner}`) % o.buckets;
    const slot = this.hash(`s|${bucket}|${peerKey(address)}`) % o.bucketSize;
    return [bucket, slot];
  }

  private hash(text: string): number {
    return createHash('sha256').update(this.secret).update(text).digest().readUInt32BE(0);
  }
}
