import { randomInt } from 'node:crypto';
import type { PeerAddress } from '../../kernel/index.js';
import { peerKey } from '../../kernel/index.js';
import { encodeDataHeader, fragmentCount, type DataHeader } from './frame.js';
import type { UdpOptions } from './options.js';
import type { Counters } from './stats.js';

interface Outgoing {
  readonly to: PeerAddress;
  readonly key: string;
  readonly header: Omit<DataHeader, 'index'>;
  readonly data: Buffer;
  expiresAt: number;
  /** Bytes sent again because of NACKs: at most twice the message (issue 10, finding C). */
  resent: number;
}

export type Transmit = (chunks: Buffer[], to: PeerAddress) => void;

/**
 * What we send: fragments queued and paced a burst per event-loop turn (a receiver's socket
 * buffer overflows silently), and multi-fragment messages kept for a few seconds to answer NACKs.
 * Message ids are random, not a counter: a NACK is believed because of its source address, and
 * with predictable ids anyone who saw one of our datagrams could spoof NACKs for a peer's large
 * messages and have us resend them to it (finding C). What NACKs make us resend of one message is
 * bounded by twice its size, whoever sends them.
 */
export class SendQueue {
  private queue: Array<{ out: Outgoing; index: number } | undefined> = [];
  private head = 0;
  private queuedBytes = 0;
  private flushScheduled = false;
  private readonly retained = new Map<string, Outgoing>();
  private retainedBytes = 0;

  constructor(
    private readonly options: UdpOptions,
    private readonly counters: Counters,
    private readonly transmit: Transmit,
  ) {}

  get queuedDatagrams(): number {
    return this.queue.length - this.head;
  }

  get retainedByteCount(): number {
    return this.retainedBytes;
  }

  /** Queues a message's fragments; false when the queue has no room for it. */
  send(to: PeerAddress, message: Uint8Array): boolean {
    if (this.queuedBytes + message.length > this.options.maxQueuedBytes) return false;
    const fragSize = this.options.fragmentBytes;
    const header = { id: randomInt(0, 0x1_0000_0000 - 1), total: message.length, fragSize, count: fragmentCount(message.length, fragSize) };
    const out: Outgoing = { to: { ...to }, key: peerKey(to), header, data: Buffer.from(message), expiresAt: 0, resent: 0 };
    if (header.count > 1) this.retain(out);
    for (let index = 0; index < header.count; index++) this.enqueue(out, index);
    return true;
  }

  /** A NACK from `from` for message `id`: the fragments it names are queued again, within the message's resend budget. */
  answerNack(from: PeerAddress, id: number, missing: readonly number[]): void {
    this.counters.nacksReceived++;
    const out = this.retained.get(`${peerKey(from)}/${id}`);
    if (!out || out.resent >= 2 * out.data.length) {
      this.counters.nacksUnanswerable++;
      return;
    }
    out.expiresAt = Date.now() + this.options.retainSentMs;
    for (const index of new Set(missing)) {
      if (index >= out.header.count) continue;
      if (out.resent >= 2 * out.data.length) break;
      out.resent += this.fragmentLength(out, index);
      this.enqueue(out, index);
      this.counters.retransmitted++;
    }
  }

  /** Forgets kept messages whose time is up. */
  sweep(now: number): void {
    for (const [key, out] of this.retained) {
      if (out.expiresAt > now) continue;
      this.retained.delete(key);
      this.retainedBytes -= out.data.length;
    }
  }

  clear(): void {
    this.retained.clear();
    this.retainedBytes = 0;
    this.queue = [];
    this.head = 0;
    this.queuedBytes = 0;
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
    const end = Math.min(this.queue.length, this.head + this.options.burstDatagrams);
    while (this.head < end) {
      const { out, index } = this.queue[this.head]!;
      this.queue[this.head++] = undefined;
      const start = index * out.header.fragSize;
      const payload = out.data.subarray(start, start + this.fragmentLength(out, index));
      this.queuedBytes -= payload.length;
      this.transmit([encodeDataHeader({ ...out.header, index }), payload], out.to);
    }
    if (this.head >= this.queue.length) {
      this.queue = [];
      this.head = 0;
      return;
    }
    if (this.head > 4096) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }
}
