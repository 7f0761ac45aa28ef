import { peerKey, type Clock, type PeerAddress } from '../services.js';
import { netGroup } from './net-group.js';
import { newSessionToken } from './handshake-keys.js';

/** Who started the session: outbound peers (we dialled them, or discovery introduced them) have their own slots. */
export type PeerOrigin = 'outbound' | 'inbound';

export interface PeerState {
  readonly key: string;
  readonly address: PeerAddress;
  readonly origin: PeerOrigin;
  /** Its address came from discovery (not from a peer's hearsay): it may take an exchanged peer's slot. */
  readonly discovered: boolean;
  readonly since: number;
  /** What the peer must put in every session frame it sends us. */
  readonly expect: Buffer;
  /** What we put in every session frame to the peer; known once it answered our proof. */
  present?: Buffer;
  /** Proven both ways and on our chain and protocol version. */
  ready: boolean;
  height: number;
  tip: string;
  work: bigint;
  lastHeard: number;
  lastStatusSent: number;
  /** Last time we re-sent our hello because the peer seemed to have lost the session. */
  lastRehello: number;
  score: number;
  /** Token bucket for inbound messages. */
  tokens: number;
  tokensAt: number;
  /** Byte budget for what we serve it (blocks, headers, transactions). */
  serveBytes: number;
  serveAt: number;
  rejections: Record<string, number>;
  /**
   * Its chain claims are not believed before this time: it stalled a headers request. Each
   * stall doubles the doubt (10 s up to 5 min), so liars that claim more work and never answer
   * cannot take turns holding the catch-up (issue 10, finding H).
   */
  doubtedUntil: number;
  stalls: number;
}

/** How many peers of which origin, how they are charged and banned, how much they may ask: PEER_POLICY. */
export type PeerPolicy = PeerBookOptions;

export interface PeerBookOptions {
  /** How long a misbehaving peer is kept away. */
  banMs: number;
  /** Penalty points at which a peer is banned. */
  banScore: number;
  /** Sustained inbound messages per second allowed per peer, and the burst above it. */
  ratePerSecond: number;
  burst: number;
  /** Sessions we started or discovery introduced, and sessions others started. */
  maxOutbound: number;
  /**
   * Outbound sessions to addresses a peer told us of: hearsay fills a few slots only, and gives
   * them back to discovery's addresses (issue 10, finding F: 40 answering addresses owned all 32).
   */
  maxOutboundExchanged: number;
  maxInbound: number;
  /** Bytes per second we serve one peer, and the burst. */
  serveBytesPerSecond: number;
  serveBurstBytes: number;
  /** Bans remembered at once; the oldest is forgotten first. */
  maxBans: number;
}

export const DEFAULT_PEER_BOOK: PeerBookOptions = {
  banMs: 10 * 60_000,
  banScore: 100,
  ratePerSecond: 2000,
  burst: 4000,
  maxOutbound: 32,
  maxOutboundExchanged: 8,
  maxInbound: 64,
  serveBytesPerSecond: 16 * 1024 * 1024,
  serveBurstBytes: 32 * 1024 * 1024,
  maxBans: 4096,
};

export interface BanRecord {
  until: number;
  reason: string;
  rejections: Record<string, number>;
}

/**
 * Proven peers only: a record exists once a source has echoed our cookie, so no flood of
 * spoofed or one-shot sources can fill it. Slots are split by origin, so sources that dial
 * us can never take the places of the peers we chose (or discovery introduced); a full
 * inbound side evicts from the network group that holds most of it. Scores decay slowly so
 * an honest peer that once relayed a stale transaction is never banned for it.
 */
export class PeerBook {
  private readonly peers = new Map<string, PeerState>();
  private readonly banned = new Map<string, BanRecord>();

  constructor(
    private readonly clock: Clock,
    readonly options: PeerBookOptions = DEFAULT_PEER_BOOK,
  ) {}

  get(address: PeerAddress): PeerState | undefined {
    return this.peers.get(peerKey(address));
  }

  byKey(key: string): PeerState | undefined {
    return this.peers.get(key);
  }

  /**
   * A session for a source that just proved its address, made if it may have a slot;
   * undefined when banned or when no slot can be had.
   */
  open(address: PeerAddress, origin: PeerOrigin, discovered = false): PeerState | undefined {
    const key = peerKey(address);
    if (this.isBanned(key)) return undefined;
    const existing = this.peers.get(key);
    if (existing) return existing;
    if (!this.makeRoom(origin, address, discovered)) return undefined;
    const now = this.clock.now();
    const peer: PeerState = {
      key,
      address: { host: address.host, port: address.port },
      origin,
      discovered,
      since: now,
      expect: newSessionToken(),
      ready: false,
      height: 0,
      tip: '',
      work: 0n,
      lastHeard: now,
      lastStatusSent: 0,
      lastRehello: 0,
      score: 0,
      tokens: this.options.burst,
      tokensAt: now,
      serveBytes: this.options.serveBurstBytes,
      serveAt: now,
      rejections: {},
      doubtedUntil: 0,
      stalls: 0,
    };
    this.peers.set(key, peer);
    return peer;
  }

  private count(origin: PeerOrigin): number {
    let n = 0;
    for (const p of this.peers.values()) if (p.origin === origin) n++;
    return n;
  }

  /** Outbound sessions to hearsay addresses. */
  exchangedOutbound(): PeerState[] {
    return this.all().filter((p) => p.origin === 'outbound' && !p.discovered);
  }

  private makeRoom(origin: PeerOrigin, address: PeerAddress, discovered: boolean): boolean {
    if (origin === 'outbound') {
      if (this.count('outbound') < this.options.maxOutbound) {
        return discovered || this.exchangedOutbound().length < this.options.maxOutboundExchanged;
      }
      if (!discovered) return false;
      // Full: the youngest session to a hearsay address gives way to discovery's.
      const hearsay = this.exchangedOutbound();
      if (!hearsay.length) return false;
      this.remove(hearsay.reduce((a, b) => (b.since > a.since ? b : a)).key);
      return true;
    }
    if (this.count('inbound') < this.options.maxInbound) return true;
    // Full: the youngest session of the group holding most inbound slots gives way, unless
    // the newcomer belongs to that group itself (then one operator is refilling its share).
    const groups = new Map<string, PeerState[]>();
    for (const p of this.peers.values()) {
      if (p.origin !== 'inbound') continue;
      const g = netGroup(p.address.host);
      groups.set(g, [...(groups.get(g) ?? []), p]);
    }
    let largest: PeerState[] = [];
    for (const list of groups.values()) if (list.length > largest.length) largest = list;
    if (largest.length <= 1 || netGroup(largest[0]!.address.host) === netGroup(address.host)) return false;
    const youngest = largest.reduce((a, b) => (b.since > a.since ? b : a));
    this.remove(youngest.key);
    return true;
  }

  all(): PeerState[] {
    return [...this.peers.values()];
  }

  ready(): PeerState[] {
    return this.all().filter((p) => p.ready);
  }

  remove(key: string): void {
    const peer = this.peers.get(key);
    if (peer) peer.ready = false; // holders of the old record (sync pages) see it is gone
    this.peers.delete(key);
  }

  isBanned(key: string): boolean {
    const ban = this.banned.get(key);
    if (!ban) return false;
    if (ban.until <= this.clock.now()) {
      this.banned.delete(key);
      return false;
    }
    return true;
  }

  bans(): Array<{ peer: string } & BanRecord> {
    return [...this.banned].filter(([key]) => this.isBanned(key)).map(([peer, b]) => ({ peer, ...b, rejections: { ...b.rejections } }));
  }

  ban(key: string, reason: string): void {
    const peer = this.peers.get(key);
    // The peer's own counters, not a copy: the rest of a message already in hand still counts.
    const rejections = peer?.rejections ?? this.banned.get(key)?.rejections ?? {};
    this.banned.delete(key);
    if (this.banned.size >= this.options.maxBans) this.banned.delete(this.banned.keys().next().value!);
    this.banned.set(key, { until: this.clock.now() + this.options.banMs, reason, rejections });
    this.remove(key);
  }

  /** Adds penalty points (the caller counts the rejection); returns true when the peer is now banned. */
  penalize(peer: PeerState, code: string, points: number): boolean {
    // The rest of a message from a peer banned by its first part: counted, but banned once.
    if (this.isBanned(peer.key)) return false;
    peer.score += points;
    if (peer.score >= this.options.banScore) {
      this.ban(peer.key, code);
      return true;
    }
    return false;
  }

  /** Takes one token; false when the peer is sending faster than its allowance. */
  admit(peer: PeerState): boolean {
    const now = this.clock.now();
    const refill = ((now - peer.tokensAt) / 1000) * this.options.ratePerSecond;
    peer.tokens = Math.min(this.options.burst, peer.tokens + refill);
    peer.tokensAt = now;
    // Decay misbehaviour a little with time, so rare honest mistakes never add up to a ban.
    peer.score = Math.max(0, peer.score - refill / this.options.ratePerSecond);
    if (peer.tokens < 1) return false;
    peer.tokens -= 1;
    return true;
  }

  /** Bytes we may still serve this peer now (its budget refills with time). */
  serveAllowance(peer: PeerState): number {
    const now = this.clock.now();
    peer.serveBytes = Math.min(
      this.options.serveBurstBytes,
      peer.serveBytes + ((now - peer.serveAt) / 1000) * this.options.serveBytesPerSecond,
    );
    peer.serveAt = now;
    return Math.max(0, peer.serveBytes);
  }

  served(peer: PeerState, bytes: number): void {
    peer.serveBytes -= bytes;
  }
}
