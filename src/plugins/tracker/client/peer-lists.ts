import type { Logger } from 'pino';
import type { PeerAddress } from '../../../kernel/index.js';
import { addressKey, isReachableHost, isValidPort, MAX_HOST_LENGTH, normalizeHost, type ListedPeer } from '../messages.js';

/**
 * The peers a client knows: static ones, the reachable members of the tracker's last list and
 * those learned by exchange (bounded, oldest dropped first), never the node itself under any
 * address it is known by. Handlers hear of every change of the union.
 */
export class PeerLists {
  private readonly staticPeers: PeerAddress[];
  private trackerPeers: PeerAddress[] = [];
  private trackerUnreachable = 0;
  private readonly exchangePeers = new Map<string, PeerAddress>();
  private readonly selfKeys = new Set<string>();
  private readonly handlers: Array<(peers: PeerAddress[]) => void> = [];
  private lastSignature = '';

  constructor(
    staticPeers: readonly PeerAddress[],
    private readonly maxExchangePeers: number,
    private readonly log: Logger,
  ) {
    this.staticPeers = dedupe(staticPeers);
  }

  /** An address this node is known by: it is never offered as a peer. */
  addSelf(address: PeerAddress): void {
    this.selfKeys.add(addressKey(address));
  }

  /** Static peers, then the tracker's last list, then exchanged peers; never this node itself. */
  peers(): PeerAddress[] {
    const seen = new Set<string>(this.selfKeys);
    const out: PeerAddress[] = [];
    for (const list of [this.staticPeers, this.trackerPeers, this.exchangePeers.values()]) {
      for (const peer of list) {
        const key = addressKey(peer);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ ...peer });
      }
    }
    return out;
  }

  onChange(handler: (peers: PeerAddress[]) => void): void {
    this.handlers.push(handler);
  }

  /**
   * Peers learned from other nodes (peer exchange). The input is untrusted: only the first
   * `maxExchangePeers` entries are looked at, and only well-formed reachable addresses kept.
   * Returns how many were not known before.
   */
  addExchanged(list: readonly unknown[]): number {
    if (!Array.isArray(list)) return 0;
    const known = new Set(this.peers().map(addressKey));
    let added = 0;
    for (const entry of list.slice(0, this.maxExchangePeers)) {
      const peer = toPeerAddress(entry);
      if (!peer) continue;
      const key = addressKey(peer);
      if (this.selfKeys.has(key)) continue;
      // Re-inserting moves a peer to the young end, so the oldest are the ones dropped.
      this.exchangePeers.delete(key);
      this.exchangePeers.set(key, peer);
      if (!known.has(key)) {
        known.add(key);
        added++;
      }
    }
    this.trimExchanged();
    if (added > 0) this.emitIfChanged();
    return added;
  }

  /**
   * The tracker's list. Only verified members are offered to the node: an unverified address
   * may be nobody's (greeting it would make every member a reflector), or a member behind a
   * NAT that dials out and is met when it does.
   */
  received(peers: readonly ListedPeer[]): void {
    const usable = peers.filter((p) => isReachableHost(p.host));
    const reachable = usable.filter((p) => p.reachable);
    this.trackerPeers = dedupe(reachable.map((p) => ({ host: normalizeHost(p.host), port: p.port })));
    this.trackerUnreachable = usable.length - reachable.length;
    this.emitIfChanged();
  }

  counts(): { trackerPeers: number; trackerUnreachable: number; staticPeers: number; exchangePeers: number } {
    return {
      trackerPeers: this.trackerPeers.length,
      trackerUnreachable: this.trackerUnreachable,
      staticPeers: this.staticPeers.length,
      exchangePeers: this.exchangePeers.size,
    };
  }

  emitIfChanged(): void {
    const peers = this.peers();
    const signature = peers.map(addressKey).join(',');
    if (signature === this.lastSignature) return;
    this.lastSignature = signature;
    for (const handler of this.handlers) {
      try {
        handler(peers.map((p) => ({ ...p })));
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'discovery change handler failed');
      }
    }
  }

  private trimExchanged(): void {
    for (const key of this.exchangePeers.keys()) {
      if (this.exchangePeers.size <= this.maxExchangePeers) break;
      this.exchangePeers.delete(key);
    }
  }
}

function toPeerAddress(entry: unknown): PeerAddress | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { host, port } = entry as { host?: unknown; port?: unknown };
  if (typeof host !== 'string' || host.length > MAX_HOST_LENGTH || !isValidPort(port)) return undefined;
  const normalized = normalizeHost(host);
  return isReachableHost(normalized) ? { host: normalized, port } : undefined;
}

function dedupe(list: readonly PeerAddress[]): PeerAddress[] {
  const seen = new Map<string, PeerAddress>();
  for (const peer of list) if (!seen.has(addressKey(peer))) seen.set(addressKey(peer), { host: peer.host, port: peer.port });
  return [...seen.values()];
}
