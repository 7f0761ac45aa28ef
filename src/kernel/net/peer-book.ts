import type { Clock, PeerAddress } from '../services.js';

export const peerKey = (a: PeerAddress): string => `${a.host}:${a.port}`;

export interface PeerState {
  readonly key: string;
  readonly address: PeerAddress;
  /** A peer is ready once its hello for our chain and protocol version arrived. */
  ready: boolean;
  height: number;
  tip: string;
  work: bigint;
  lastHeard: number;
  lastHelloSent: number;
  score: number;
  /** Token bucket for inbound messages. */
  tokens: number;
  tokensAt: number;
  rejections: Record<string, number>;
}

export interface PeerBookOptions {
  /** How long a misbehaving peer is kept away. */
  banMs: number;
  /** Penalty points at which a peer is banned. */
  banScore: number;
  /** Sustained inbound messages per second allowed per peer, and the burst above it. */
  ratePerSecond: number;
  burst: number;
  maxPeers: number;
}

export const DEFAULT_PEER_BOOK: PeerBookOptions = { banMs: 10 * 60_000, banScore: 100, ratePerSecond: 2000, burst: 4000, maxPeers: 512 };

/**
 * What we know of each peer: readiness, claimed tip, misbehaviour score, bans. Scores decay
 * slowly so an honest peer that once relayed a stale transaction is never banned for it.
 */
export class PeerBook {
  private readonly peers = new Map<string, PeerState>();
  private readonly banned = new Map<string, { until: number; reason: string; rejections: Record<string, number> }>();

  constructor(
    private readonly clock: Clock,
    readonly options: PeerBookOptions = DEFAULT_PEER_BOOK,
  ) {}

  get(address: PeerAddress): PeerState | undefined {
    return this.peers.get(peerKey(address));
  }

  /** The peer's record, created if there is room; undefined for a banned or surplus peer. */
  ensure(address: PeerAddress): PeerState | undefined {
    const key = peerKey(address);
    if (this.isBanned(key)) return undefined;
    let peer = this.peers.get(key);
    if (!peer) {
      if (this.peers.size >= this.options.maxPeers) return undefined;
      const now = this.clock.now();
      peer = {
        key,
        address: { host: address.host, port: address.port },
        ready: false,
        height: 0,
        tip: '',
        work: 0n,
        lastHeard: 0,
        lastHelloSent: 0,
        score: 0,
        tokens: this.options.burst,
        tokensAt: now,
        rejections: {},
      };
      this.peers.set(key, peer);
    }
    return peer;
  }

  all(): PeerState[] {
    return [...this.peers.values()];
  }

  ready(): PeerState[] {
    return this.all().filter((p) => p.ready);
  }

  remove(key: string): void {
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

  bans(): Array<{ peer: string; until: number; reason: string; rejections: Record<string, number> }> {
    return [...this.banned].filter(([key]) => this.isBanned(key)).map(([peer, b]) => ({ peer, ...b, rejections: { ...b.rejections } }));
  }

  ban(key: string, reason: string): void {
    const peer = this.peers.get(key);
    // The peer's own counters, not a copy: the rest of a message already in hand still counts.
    const rejections = peer?.rejections ?? this.banned.get(key)?.rejections ?? {};
    this.banned.set(key, { until: this.clock.now() + this.options.banMs, reason, rejections });
    if (peer) peer.ready = false; // holders of the old record (sync pages) see it is gone
    this.peers.delete(key);
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
}

/**
 * Penalty points per rejection code: one table, not `if`s spread around. Anything a correct
 * peer can send in a race (a transaction that conflicts with one we saw first, a stale block)
 * costs nothing or little; forgery costs a ban.
 */
export function penaltyFor(code: string, verdict: 'reject' | 'ignore'): number {
  if (verdict === 'ignore') return 0;
  switch (code) {
    case 'BLOCK_BAD_POW':
    case 'BLOCK_BAD_TARGET':
    case 'BLOCK_BAD_TX_ROOT':
    case 'BLOCK_DUPLICATE_TX':
    case 'BLOCK_MALFORMED':
    case 'BLOCK_BAD_HEIGHT':
    case 'BLOCK_BAD_VERSION':
    case 'BLOCK_INVALID_ANCESTOR':
    case 'BLOCK_BAD_TX':
    case 'BLOCK_TOO_LARGE':
    case 'HEADERS_INVALID':
    case 'WRONG_CHAIN':
      return 100;
    case 'BLOCK_TIME_TOO_OLD':
      return 50;
    case 'TX_BAD_SIGNATURE':
    case 'TX_MALFORMED':
    case 'TX_TOO_LARGE':
    case 'TX_UNKNOWN_APP':
    case 'TX_UNKNOWN_TYPE':
    case 'TX_BAD_PAYLOAD':
      return 20;
    case 'MSG_NOT_JSON':
    case 'MSG_UNKNOWN_TYPE':
    case 'MSG_INVALID':
    case 'MSG_TOO_LARGE':
      return 20;
    case 'STALL':
      return 10;
    case 'FLOOD':
      return 1;
    default:
      // App rules (a second ballot of one voter): an honest relay can lose that race.
      return 2;
  }
}
