import { encodeNack, MAX_NACK_INDICES, NACK_HEADER_BYTES, type DataHeader } from './frame.js';
import type { UdpOptions } from './options.js';
import type { UdpPeer } from './peer-table.js';
import type { Counters } from './stats.js';

/** Bookkeeping charged per buffered fragment on top of its payload, so many tiny fragments still cost. */
export const FRAGMENT_OVERHEAD_BYTES = 64;
const MAX_NACK_DELAY_MS = 500;

interface Reassembly {
  readonly peer: UdpPeer;
  readonly header: Omit<DataHeader, 'index'>;
  readonly parts: Map<number, Buffer>;
  /** Bytes charged to the buffers (payload plus overhead per fragment). */
  bytes: number;
  /** Payload bytes this message brought: what its NACKs may add up to. */
  received: number;
  nackBytes: number;
  lastProgress: number;
  nackRounds: number;
  timer?: NodeJS.Timeout;
}

interface Holder {
  readonly messages: Map<number, Reassembly>;
  bytes: number;
}

/**
 * Messages of several fragments, put together per source. Two bounds hold what sources may keep
 * unfinished: one per source, and one for all; when the shared one is full, the message begun
 * longest ago gives way. Sources that fill the budget and keep it by trickling a fragment now
 * and then hold old messages, so an honest message, which arrives at the link's speed, finds
 * room; to push it out an attacker must send the whole budget anew while it arrives. (Making the
 * largest holder give way, as first done for finding E, let 256 sources of 255 KiB each drop
 * every honest message larger than that, at 280 KB/s of upkeep: the second look.) A missing fragment is asked for
 * with NACKs, and what the NACKs of one message add up to never exceeds what the message brought:
 * a source that never proved its address cannot use them to make us send more than it did
 * (finding B).
 */
export class Reassembler {
  private readonly holders = new Map<UdpPeer, Holder>();
  /** Every unfinished message in the order it began (a Set keeps insertion order): the first is the oldest. */
  private readonly byAge = new Set<Reassembly>();
  private total = 0;

  constructor(
    private readonly options: UdpOptions,
    private readonly counters: Counters,
    private readonly sendDatagram: (peer: UdpPeer, datagram: Buffer) => void,
  ) {}

  get bufferedBytes(): number {
    return this.total;
  }

  get count(): number {
    let n = 0;
    for (const h of this.holders.values()) n += h.messages.size;
    return n;
  }

  holds(peer: UdpPeer): boolean {
    return this.holders.has(peer);
  }

  /** Adds a fragment; the whole message once it is complete. */
  accept(peer: UdpPeer, h: DataHeader, payload: Buffer, now: number): Buffer | undefined {
    const holder = this.holders.get(peer);
    let r = holder?.messages.get(h.id);
    if (r && (r.header.total !== h.total || r.header.fragSize !== h.fragSize)) {
      this.counters.malformed++;
      return undefined;
    }
    if (r?.parts.has(h.index)) {
      this.counters.duplicates++;
      return undefined;
    }
    const cost = payload.length + FRAGMENT_OVERHEAD_BYTES;
    if (!this.makeRoom(peer, r, cost)) {
      this.counters.dropped++;
      return undefined;
    }
    r ??= this.open(peer, h);
    r.parts.set(h.index, payload);
    r.bytes += cost;
    r.received += payload.length;
    r.lastProgress = now;
    this.charge(peer, cost);
    if (r.parts.size < h.count) {
      r.timer?.refresh();
      return undefined;
    }
    this.release(r);
    const parts: Buffer[] = [];
    for (let i = 0; i < h.count; i++) parts.push(r.parts.get(i)!);
    return Buffer.concat(parts, h.total);
  }

  /** Drops every unfinished message of a source (it was forgotten). */
  forget(peer: UdpPeer): void {
    const holder = this.holders.get(peer);
    if (!holder) return;
    for (const r of [...holder.messages.values()]) this.release(r);
  }

  /** Drops messages without progress for the reassembly timeout. */
  sweep(now: number): void {
    for (const holder of [...this.holders.values()]) {
      for (const r of [...holder.messages.values()]) {
        if (now - r.lastProgress < this.options.reassemblyTimeoutMs) continue;
        this.release(r);
        this.counters.reassemblyTimeouts++;
      }
    }
  }

  clear(): void {
    for (const holder of this.holders.values()) for (const r of holder.messages.values()) clearTimeout(r.timer);
    this.holders.clear();
    this.byAge.clear();
    this.total = 0;
  }

  /** Frees room for `cost` more bytes of `peer` (its own oldest first, then the oldest of all); false if it cannot. */
  private makeRoom(peer: UdpPeer, current: Reassembly | undefined, cost: number): boolean {
    const o = this.options;
    const own = () => this.holders.get(peer);
    if (!current) while ((own()?.messages.size ?? 0) >= o.maxReassembliesPerPeer) this.evictOldest(own()!, current);
    while ((own()?.bytes ?? 0) + cost > o.maxBufferedBytesPerPeer) if (!this.evictOldest(own()!, current)) return false;
    while (this.total + cost > o.maxBufferedBytesTotal) {
      const oldest = this.oldestMessage(current);
      if (!oldest) return false;
      this.release(oldest);
      this.counters.dropped++;
    }
    return true;
  }

  /** The unfinished message begun longest ago, other than `keep`. */
  private oldestMessage(keep?: Reassembly): Reassembly | undefined {
    for (const r of this.byAge) if (r !== keep) return r;
    return undefined;
  }

  /** Frees the holder's oldest unfinished message other than `keep`; false when there is none. */
  private evictOldest(holder: Holder, keep?: Reassembly): boolean {
    for (const r of holder.messages.values()) {
      if (r === keep) continue;
      this.release(r);
      this.counters.dropped++;
      return true;
    }
    return false;
  }

  private open(peer: UdpPeer, h: DataHeader): Reassembly {
    let holder = this.holders.get(peer);
    if (!holder) this.holders.set(peer, (holder = { messages: new Map(), bytes: 0 }));
    const r: Reassembly = {
      peer,
      header: { id: h.id, total: h.total, fragSize: h.fragSize, count: h.count },
      parts: new Map(),
      bytes: 0,
      received: 0,
      nackBytes: 0,
      lastProgress: 0,
      nackRounds: 0,
    };
    holder.messages.set(h.id, r);
    this.byAge.add(r);
    r.timer = setTimeout(() => this.requestMissing(r), this.options.nackDelayMs);
    return r;
  }

  private charge(peer: UdpPeer, bytes: number): void {
    this.holders.get(peer)!.bytes += bytes;
    this.total += bytes;
  }

  private release(r: Reassembly): void {
    clearTimeout(r.timer);
    const holder = this.holders.get(r.peer);
    if (!holder || holder.messages.get(r.header.id) !== r) return;
    holder.messages.delete(r.header.id);
    this.byAge.delete(r);
    holder.bytes -= r.bytes;
    this.total -= r.bytes;
    if (holder.messages.size === 0) this.holders.delete(r.peer);
  }

  private requestMissing(r: Reassembly): void {
    if (this.holders.get(r.peer)?.messages.get(r.header.id) !== r || r.nackRounds >= this.options.maxNackRounds) return;
    const room = Math.floor((r.received - r.nackBytes - NACK_HEADER_BYTES) / 2);
    const missing: number[] = [];
    for (let i = 0; i < r.header.count && missing.length < Math.min(MAX_NACK_INDICES, room); i++) if (!r.parts.has(i)) missing.push(i);
    if (missing.length) {
      const nack = encodeNack(r.header.id, missing);
      r.nackBytes += nack.length;
      this.sendDatagram(r.peer, nack);
      this.counters.nacksSent++;
    }
    if (room < Math.min(MAX_NACK_INDICES, r.header.count - r.parts.size)) this.counters.nacksWithheld++;
    r.nackRounds++;
    // Later rounds wait longer: the retransmissions of the previous round may still be on their way.
    r.timer = setTimeout(() => this.requestMissing(r), Math.min(MAX_NACK_DELAY_MS, this.options.nackDelayMs * (1 + r.nackRounds)));
  }
}
