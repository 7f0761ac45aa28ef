import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import { inject, injectable } from 'tsyringe';
import { assertWired } from '../../kernel/index.js';
import type { PeerAddress, Transport } from '../../kernel/index.js';
import { LOGGER } from '../../kernel/index.js';
import { TransportError } from './errors.js';
import {
  decodeDatagram,
  encodeDataHeader,
  encodeNack,
  fragmentCount,
  MAX_FRAGMENT_BYTES,
  MAX_NACK_INDICES,
  MIN_FRAGMENT_BYTES,
  type DataHeader,
} from './frame.js';

/** Token for the options of one `udpTransport()` plugin value, registered beside the transport in the node's container. */
export const UDP_TRANSPORT_OPTIONS = Symbol('cairn.transport-udp.options');

export interface UdpTransportOptions {
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Port to bind; 0 picks a free one (default 0). */
  port?: number;
  /** Largest message `send` accepts and a receiver reassembles (default 8 MiB). */
  maxMessageBytes?: number;
  /** Payload bytes per datagram (default 60,000; at most 65,489). */
  fragmentBytes?: number;
  /** Datagrams sent per event-loop turn before yielding (default 16). */
  burstDatagrams?: number;
  /** Kernel socket buffer to ask for, both directions (default 4 MiB; Linux caps it at net.core.rmem_max). */
  socketBufferBytes?: number;
  /** A message not completed within this long after its last new fragment is dropped (default 5 s). */
  reassemblyTimeoutMs?: number;
  /** Silence after the last fragment before the receiver asks for missing ones (default 40 ms). */
  nackDelayMs?: number;
  /** How many times a receiver asks for the missing fragments of one message (default 12). */
  maxNackRounds?: number;
  /** How long a sent multi-fragment message is kept to answer NACKs (default 5 s). */
  retainSentMs?: number;
  /** Bound on the bytes kept to answer NACKs; oldest messages go first (default 64 MiB). */
  maxRetainedBytes?: number;
  /** Bound on bytes queued for sending; a message that does not fit is dropped (default 64 MiB). */
  maxQueuedBytes?: number;
  /** Messages one peer may have in reassembly at once; a new one evicts that peer's oldest (default 8). */
  maxReassembliesPerPeer?: number;
  /** Bytes of unfinished messages one peer may hold (default 2 x maxMessageBytes). */
  maxBufferedBytesPerPeer?: number;
  /** Bytes of unfinished messages all peers together may hold (default 64 MiB). */
  maxBufferedBytesTotal?: number;
  /** Inbound datagrams per second accepted from one peer, with a burst of the same size (default 20,000). */
  maxDatagramsPerSecondPerPeer?: number;
  /** Peers tracked at once; datagrams from further new addresses are dropped (default 4,096). */
  maxPeers?: number;
}

export type UdpTransportStats = {
  datagramsReceived: number;
  datagramsSent: number;
  messagesSent: number;
  messagesDelivered: number;
  /** Datagrams that were not a valid DATA or NACK datagram, or contradicted their message's earlier fragments. */
  malformed: number;
  /** Datagrams refused by the per-peer rate limit or the peer table bound. */
  rateLimited: number;
  /** Fragments already held, and fragments of messages already delivered. */
  duplicates: number;
  /** Fragments or unfinished messages dropped to keep buffers within their bounds. */
  dropped: number;
  reassemblyTimeouts: number;
  nacksSent: number;
  nacksReceived: number;
  /** NACKs for a message no longer (or never) kept. */
  nacksUnanswerable: number;
  retransmitted: number;
  /** Messages not sent: transport stopped, bad address, or send queue full. */
  sendDropped: number;
  sendErrors: number;
  /** Gauges. */
  bufferedBytes: number;
  reassemblies: number;
  peers: number;
  retainedBytes: number;
  queuedDatagrams: number;
  recvBufferBytes: number;
};

type Counter = Exclude<
  keyof UdpTransportStats,
  'bufferedBytes' | 'reassemblies' | 'peers' | 'retainedBytes' | 'queuedDatagrams' | 'recvBufferBytes'
>;

interface Outgoing {
  readonly to: PeerAddress;
  readonly key: string;
  readonly header: Omit<DataHeader, 'index'>;
  readonly data: Buffer;
  expiresAt: number;
  answeredNacks: number;
}

interface Reassembly {
  readonly header: Omit<DataHeader, 'index'>;
  readonly parts: Map<number, Buffer>;
  bytes: number;
  lastProgress: number;
  nackRounds: number;
  timer?: NodeJS.Timeout;
}

interface PeerState {
  readonly address: PeerAddress;
  readonly key: string;
  readonly reassemblies: Map<number, Reassembly>;
  /** Ids of messages delivered lately, so duplicated or retransmitted fragments deliver nothing twice. */
  readonly recent: Set<number>;
  bufferedBytes: number;
  tokens: number;
  lastRefill: number;
  lastSeen: number;
}

const DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  maxMessageBytes: 8 * 1024 * 1024,
  fragmentBytes: 60_000,
  burstDatagrams: 16,
  socketBufferBytes: 4 * 1024 * 1024,
  reassemblyTimeoutMs: 5_000,
  nackDelayMs: 40,
  maxNackRounds: 12,
  retainSentMs: 5_000,
  maxRetainedBytes: 64 * 1024 * 1024,
  maxQueuedBytes: 64 * 1024 * 1024,
  maxReassembliesPerPeer: 8,
  maxBufferedBytesTotal: 64 * 1024 * 1024,
  maxDatagramsPerSecondPerPeer: 20_000,
  maxPeers: 4_096,
};

/** Bookkeeping charged per buffered fragment on top of its payload, so many tiny fragments still cost. */
const FRAGMENT_OVERHEAD_BYTES = 64;
const RECENT_IDS_PER_PEER = 1_024;
const SWEEP_MS = 250;
const IDLE_PEER_MS = 60_000;
const MAX_NACK_DELAY_MS = 500;

export function peerKey(address: PeerAddress): string {
  return `${address.host}:${address.port}`;
}

/**
 * One UDP socket. A message travels as one datagram when it fits, otherwise as numbered fragments
 * that the receiver reassembles; a receiver missing fragments after a short silence sends a NACK
 * naming them, and the sender, which keeps what it sent for a few seconds, sends just those again.
 * Sends are paced a burst per event-loop turn because a receiver's socket buffer overflows
 * silently. Every inbound datagram is bounded, rate-limited per peer and decoded without throwing.
 */
@injectable()
export class UdpTransport implements Transport {
  private readonly options: Required<UdpTransportOptions>;
  private socket?: dgram.Socket;
  private bound?: PeerAddress;
  private starting?: Promise<void>;
  private readonly handlers: Array<(from: PeerAddress, message: Buffer) => void> = [];
  private nextId = randomInt(0, 0xffffffff);
  private queue: Array<{ out: Outgoing; index: number }> = [];
  private queueHead = 0;
  private queuedBytes = 0;
  private flushScheduled = false;
  private readonly retained = new Map<string, Outgoing>();
  private retainedBytes = 0;
  private readonly peers = new Map<string, PeerState>();
  private bufferedBytes = 0;
  private sweepTimer?: NodeJS.Timeout;
  private recvBufferBytes = 0;
  private readonly counters: Record<Counter, number> = {
    datagramsReceived: 0,
    datagramsSent: 0,
    messagesSent: 0,
    messagesDelivered: 0,
    malformed: 0,
    rateLimited: 0,
    duplicates: 0,
    dropped: 0,
    reassemblyTimeouts: 0,
    nacksSent: 0,
    nacksReceived: 0,
    nacksUnanswerable: 0,
    retransmitted: 0,
    sendDropped: 0,
    sendErrors: 0,
  };

  constructor(
    @inject(UDP_TRANSPORT_OPTIONS) options: UdpTransportOptions,
    @inject(LOGGER) private readonly log: Logger,
  ) {
    assertWired('UdpTransport', { options, log });
    const maxMessageBytes = options.maxMessageBytes ?? DEFAULTS.maxMessageBytes;
    this.options = {
      ...DEFAULTS,
      maxBufferedBytesPerPeer: 2 * maxMessageBytes,
      ...stripUndefined(options),
    } as Required<UdpTransportOptions>;
    const frag = this.options.fragmentBytes;
    if (!Number.isInteger(frag) || frag < MIN_FRAGMENT_BYTES || frag > MAX_FRAGMENT_BYTES) {
      throw new TransportError(
        'TRANSPORT_BAD_OPTION',
        `fragmentBytes must be an integer from ${MIN_FRAGMENT_BYTES} to ${MAX_FRAGMENT_BYTES}`,
      );
    }
    if (fragmentCount(maxMessageBytes, frag) > 0xffff || maxMessageBytes > 0xffffffff) {
      throw new TransportError(
        'TRANSPORT_BAD_OPTION',
        `maxMessageBytes ${maxMessageBytes} needs more than 65,535 fragments of ${frag} bytes`,
      );
    }
  }

  get address(): PeerAddress {
    if (!this.bound) throw new TransportError('TRANSPORT_NOT_STARTED', 'the UDP transport has no address until it is started');
    return { ...this.bound };
  }

  onMessage(handler: (from: PeerAddress, message: Buffer) => void): void {
    this.handlers.push(handler);
  }

  stats(): UdpTransportStats {
    let reassemblies = 0;
    for (const peer of this.peers.values()) reassemblies += peer.reassemblies.size;
    return {
      ...this.counters,
      bufferedBytes: this.bufferedBytes,
      reassemblies,
      peers: this.peers.size,
      retainedBytes: this.retainedBytes,
      queuedDatagrams: this.queue.length - this.queueHead,
      recvBufferBytes: this.recvBufferBytes,
    };
  }

  start(): Promise<void> {
    if (this.socket) return Promise.resolve();
    this.starting ??= this.bind().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async bind(): Promise<void> {
    const { host, port } = this.options;
    const socket = dgram.createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      socket.close();
      throw new TransportError('TRANSPORT_BIND_FAILED', `cannot bind UDP ${host}:${port}: ${(err as Error).message}`, { host, port });
    }
    try {
      socket.setRecvBufferSize(this.options.socketBufferBytes);
      socket.setSendBufferSize(this.options.socketBufferBytes);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'UDP socket buffer size not raised; large bursts may be lost and re-requested');
    }
    this.recvBufferBytes = socket.getRecvBufferSize();
    socket.on('error', (err) => this.log.warn({ err: err.message }, 'UDP socket error'));
    socket.on('message', (buf, rinfo) => this.receive(buf, rinfo));
    const local = socket.address();
    this.bound = { host: local.address, port: local.port };
    this.socket = socket;
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweepTimer.unref();
  }

  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const socket = this.socket;
    if (!socket) return;
    this.socket = undefined;
    clearInterval(this.sweepTimer);
    for (const peer of this.peers.values()) for (const r of peer.reassemblies.values()) clearTimeout(r.timer);
    this.peers.clear();
    this.bufferedBytes = 0;
    this.retained.clear();
    this.retainedBytes = 0;
    this.queue = [];
    this.queueHead = 0;
    this.queuedBytes = 0;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  send(to: PeerAddress, message: Uint8Array): void {
    if (message.length > this.options.maxMessageBytes) {
      throw new TransportError(
        'TRANSPORT_MESSAGE_TOO_LARGE',
        `a message of ${message.length} bytes exceeds the ${this.options.maxMessageBytes}-byte limit`,
      );
    }
    if (!this.socket || !Number.isInteger(to.port) || to.port <= 0 || to.port > 0xffff || typeof to.host !== 'string') {
      this.counters.sendDropped++;
      return;
    }
    if (this.queuedBytes + message.length > this.options.maxQueuedBytes) {
      this.counters.sendDropped++;
      this.log.debug({ to: peerKey(to), bytes: message.length }, 'UDP send queue full; message dropped');
      return;
    }
    const fragSize = this.options.fragmentBytes;
    const header = { id: this.nextId, total: message.length, fragSize, count: fragmentCount(message.length, fragSize) };
    this.nextId = (this.nextId + 1) >>> 0;
    const out: Outgoing = {
      to: { host: to.host, port: to.port },
      key: peerKey(to),
      header,
      data: Buffer.from(message),
      expiresAt: 0,
      answeredNacks: 0,
    };
    if (header.count > 1) this.retain(out);
    for (let index = 0; index < header.count; index++) this.enqueue(out, index);
    this.counters.messagesSent++;
  }

  private retain(out: Outgoing): void {
    out.expiresAt = Date.now() + this.options.retainSentMs;
    this.retained.set(`${out.key}/${out.header.id}`, out);
    this.retainedBytes += out.data.length;
    for (const [key, old] of this.retained) {
      if (this.retainedBytes <= this.options.maxRetainedBytes) break;
      this.retained.delete(key);
      this.retainedBytes -= old.data.length;
    }
  }

  private enqueue(out: Outgoing, index: number): void {
    this.queue.push({ out, index });
    this.queuedBytes += this.fragmentLength(out, index);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private fragmentLength(out: Outgoing, index: number): number {
    return Math.min(out.header.fragSize, out.header.total - index * out.header.fragSize);
  }

  private flush(): void {
    this.flushScheduled = false;
    const socket = this.socket;
    if (!socket) return;
    const end = Math.min(this.queue.length, this.queueHead + this.options.burstDatagrams);
    while (this.queueHead < end) {
      const { out, index } = this.queue[this.queueHead]!;
      this.queue[this.queueHead++] = undefined as never;
      const start = index * out.header.fragSize;
      const payload = out.data.subarray(start, start + this.fragmentLength(out, index));
      this.queuedBytes -= payload.length;
      this.transmit(socket, [encodeDataHeader({ ...out.header, index }), payload], out.to);
    }
    if (this.queueHead >= this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    } else {
      if (this.queueHead > 4096) {
        this.queue = this.queue.slice(this.queueHead);
        this.queueHead = 0;
      }
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private transmit(socket: dgram.Socket, chunks: Buffer[], to: PeerAddress): void {
    try {
      socket.send(chunks, to.port, to.host, (err) => {
        if (err) this.counters.sendErrors++;
      });
      this.counters.datagramsSent++;
    } catch {
      // A closed socket or an unusable address: the contract is fire-and-forget.
      this.counters.sendErrors++;
    }
  }

  private receive(buf: Buffer, rinfo: dgram.RemoteInfo): void {
    try {
      this.counters.datagramsReceived++;
      const peer = this.peerFor(rinfo);
      if (!peer || !this.takeToken(peer)) {
        this.counters.rateLimited++;
        return;
      }
      const datagram = decodeDatagram(buf, this.options.maxMessageBytes);
      if (datagram.kind === 'malformed') {
        this.counters.malformed++;
        return;
      }
      if (datagram.kind === 'nack') this.answerNack(peer, datagram.id, datagram.missing);
      else this.acceptFragment(peer, datagram.header, datagram.payload);
    } catch (err) {
      // Nothing above should throw; if it does, one datagram is lost, never the socket.
      this.counters.malformed++;
      this.log.error({ err: (err as Error).message }, 'UDP datagram handling failed');
    }
  }

  private peerFor(rinfo: dgram.RemoteInfo): PeerState | undefined {
    const key = `${rinfo.address}:${rinfo.port}`;
    const now = Date.now();
    let peer = this.peers.get(key);
    if (!peer) {
      if (this.peers.size >= this.options.maxPeers) return undefined;
      const burst = this.options.maxDatagramsPerSecondPerPeer;
      peer = {
        address: { host: rinfo.address, port: rinfo.port },
        key,
        reassemblies: new Map(),
        recent: new Set(),
        bufferedBytes: 0,
        tokens: burst,
        lastRefill: now,
        lastSeen: now,
      };
      this.peers.set(key, peer);
    }
    peer.lastSeen = now;
    return peer;
  }

  private takeToken(peer: PeerState): boolean {
    const rate = this.options.maxDatagramsPerSecondPerPeer;
    const now = Date.now();
    peer.tokens = Math.min(rate, peer.tokens + ((now - peer.lastRefill) * rate) / 1000);
    peer.lastRefill = now;
    if (peer.tokens < 1) return false;
    peer.tokens -= 1;
    return true;
  }

  private acceptFragment(peer: PeerState, h: DataHeader, payload: Buffer): void {
    if (peer.recent.has(h.id)) {
      this.counters.duplicates++;
      return;
    }
    if (h.count === 1) {
      this.deliver(peer, h.id, payload);
      return;
    }
    let r = peer.reassemblies.get(h.id);
    if (r && (r.header.total !== h.total || r.header.fragSize !== h.fragSize)) {
      this.counters.malformed++;
      return;
    }
    if (r?.parts.has(h.index)) {
      this.counters.duplicates++;
      return;
    }
    const cost = payload.length + FRAGMENT_OVERHEAD_BYTES;
    if (!r) {
      // A new message: make room among this peer's own unfinished ones, oldest first.
      while (peer.reassemblies.size >= this.options.maxReassembliesPerPeer) this.evictOldest(peer);
    }
    while (peer.bufferedBytes + cost > this.options.maxBufferedBytesPerPeer && this.evictOldest(peer, r)) {
      // evictOldest frees this peer's oldest other message until the fragment fits
    }
    if (
      peer.bufferedBytes + cost > this.options.maxBufferedBytesPerPeer ||
      this.bufferedBytes + cost > this.options.maxBufferedBytesTotal
    ) {
      this.counters.dropped++;
      return;
    }
    if (!r) {
      r = {
        header: { id: h.id, total: h.total, fragSize: h.fragSize, count: h.count },
        parts: new Map(),
        bytes: 0,
        lastProgress: 0,
        nackRounds: 0,
      };
      peer.reassemblies.set(h.id, r);
      const created = r;
      r.timer = setTimeout(() => this.requestMissing(peer, created), this.options.nackDelayMs);
    }
    r.parts.set(h.index, payload);
    r.bytes += cost;
    r.lastProgress = Date.now();
    peer.bufferedBytes += cost;
    this.bufferedBytes += cost;
    if (r.parts.size < h.count) {
      r.timer?.refresh();
      return;
    }
    this.release(peer, r);
    const parts: Buffer[] = [];
    for (let i = 0; i < h.count; i++) parts.push(r.parts.get(i)!);
    this.deliver(peer, h.id, Buffer.concat(parts, h.total));
  }

  /** Frees the peer's oldest unfinished message other than `keep`; false when there is none. */
  private evictOldest(peer: PeerState, keep?: Reassembly): boolean {
    for (const r of peer.reassemblies.values()) {
      if (r === keep) continue;
      this.release(peer, r);
      this.counters.dropped++;
      return true;
    }
    return false;
  }

  private release(peer: PeerState, r: Reassembly): void {
    clearTimeout(r.timer);
    peer.reassemblies.delete(r.header.id);
    peer.bufferedBytes -= r.bytes;
    this.bufferedBytes -= r.bytes;
  }

  private deliver(peer: PeerState, id: number, message: Buffer): void {
    peer.recent.add(id);
    if (peer.recent.size > RECENT_IDS_PER_PEER) peer.recent.delete(peer.recent.values().next().value!);
    this.counters.messagesDelivered++;
    for (const handler of this.handlers) {
      try {
        handler({ ...peer.address }, message);
      } catch (err) {
        this.log.error({ from: peer.key, err: (err as Error).message }, 'message handler failed');
      }
    }
  }

  private requestMissing(peer: PeerState, r: Reassembly): void {
    const socket = this.socket;
    if (!socket || peer.reassemblies.get(r.header.id) !== r || r.nackRounds >= this.options.maxNackRounds) return;
    const missing: number[] = [];
    for (let i = 0; i < r.header.count && missing.length < MAX_NACK_INDICES; i++) if (!r.parts.has(i)) missing.push(i);
    this.transmit(socket, [encodeNack(r.header.id, missing)], peer.address);
    this.counters.nacksSent++;
    r.nackRounds++;
    // Later rounds wait longer: the retransmissions of the previous round may still be on their way.
    r.timer = setTimeout(() => this.requestMissing(peer, r), Math.min(MAX_NACK_DELAY_MS, this.options.nackDelayMs * (1 + r.nackRounds)));
  }

  private answerNack(peer: PeerState, id: number, missing: number[]): void {
    this.counters.nacksReceived++;
    const out = this.retained.get(`${peer.key}/${id}`);
    // Answer each message's NACKs a bounded number of times: a NACK costs its sender 20 bytes and us up to 4,096 datagrams.
    if (!out || out.answeredNacks >= 2 * this.options.maxNackRounds) {
      this.counters.nacksUnanswerable++;
      return;
    }
    out.answeredNacks++;
    out.expiresAt = Date.now() + this.options.retainSentMs;
    for (const index of new Set(missing)) {
      if (index >= out.header.count) continue;
      this.enqueue(out, index);
      this.counters.retransmitted++;
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, out] of this.retained) {
      if (out.expiresAt > now) continue;
      this.retained.delete(key);
      this.retainedBytes -= out.data.length;
    }
    for (const [key, peer] of this.peers) {
      for (const r of peer.reassemblies.values()) {
        if (now - r.lastProgress < this.options.reassemblyTimeoutMs) continue;
        this.release(peer, r);
        this.counters.reassemblyTimeouts++;
      }
      if (peer.reassemblies.size === 0 && now - peer.lastSeen > IDLE_PEER_MS) this.peers.delete(key);
    }
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
