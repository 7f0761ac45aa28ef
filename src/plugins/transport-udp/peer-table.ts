import type { PeerAddress } from '../../kernel/index.js';
import { peerKey } from '../../kernel/index.js';

/** What the transport keeps per source address: a rate limit and the ids it delivered lately. */
export interface UdpPeer {
  readonly address: PeerAddress;
  readonly key: string;
  /** Ids of messages delivered lately, so duplicated or retransmitted fragments deliver nothing twice. */
  readonly recent: Set<number>;
  tokens: number;
  lastRefill: number;
  lastSeen: number;
}

const RECENT_IDS_PER_PEER = 1_024;
const IDLE_PEER_MS = 60_000;

/**
 * Sources by address, in the order they were last heard (a Map re-inserted on every datagram).
 * When full, a new source takes the place of the longest-silent one: refusing new sources
 * instead let 5,000 of them (spoofed ones too, since no answer is needed) keep every newcomer
 * out for as long as they sent one datagram a minute (issue 10, finding A).
 */
export class PeerTable {
  private readonly peers = new Map<string, UdpPeer>();

  constructor(
    private readonly maxPeers: number,
    private readonly ratePerSecond: number,
    /** Called for a peer forgotten to make room, so its unfinished messages go too. */
    private readonly evicted: (peer: UdpPeer) => void,
  ) {}

  get size(): number {
    return this.peers.size;
  }

  values(): IterableIterator<UdpPeer> {
    return this.peers.values();
  }

  /** The source's entry, made (evicting the longest-silent one if need be) when it is new. */
  touch(address: PeerAddress, now: number): UdpPeer {
    const key = peerKey(address);
    let peer = this.peers.get(key);
    if (peer) this.peers.delete(key);
    else {
      if (this.peers.size >= this.maxPeers) this.evictOldest();
      peer = { address: { ...address }, key, recent: new Set(), tokens: this.ratePerSecond, lastRefill: now, lastSeen: now };
    }
    peer.lastSeen = now;
    this.peers.set(key, peer);
    return peer;
  }

  /** Token bucket: `ratePerSecond` datagrams a second, with a burst of as many. */
  takeToken(peer: UdpPeer, now: number): boolean {
    peer.tokens = Math.min(this.ratePerSecond, peer.tokens + ((now - peer.lastRefill) * this.ratePerSecond) / 1000);
    peer.lastRefill = now;
    if (peer.tokens < 1) return false;
    peer.tokens -= 1;
    return true;
  }

  /** Remembers a delivered id (a bounded window, oldest forgotten first). */
  delivered(peer: UdpPeer, id: number): void {
    peer.recent.add(id);
    if (peer.recent.size > RECENT_IDS_PER_PEER) peer.recent.delete(peer.recent.values().next().value!);
  }

  /** Forgets sources silent for a minute that hold nothing. */
  sweep(now: number, holds: (peer: UdpPeer) => boolean): void {
    for (const [key, peer] of this.peers) {
      if (now - peer.lastSeen <= IDLE_PEER_MS) break; // in order of last heard: the rest are younger
      if (!holds(peer)) this.peers.delete(key);
    }
  }

  clear(): void {
    this.peers.clear();
  }

  private evictOldest(): void {
    const oldest = this.peers.values().next().value;
    if (!oldest) return;
    this.peers.delete(oldest.key);
    this.evicted(oldest);
  }
}
