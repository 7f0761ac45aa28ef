import type { Logger } from 'pino';
import { decodeMessage, reframe, type Message, type PeerAddress, type Transport } from '../../kernel/index.js';

const keyOf = (a: PeerAddress) => `${a.host}:${a.port}`;

/** Link conditions applied to every message this node sends and receives. */
export interface LinkFaults {
  drop: number;
  duplicate: number;
  reorder: number;
  corrupt: number;
  delayMs: number;
  jitterMs: number;
  /** HOST:PORT keys this node neither hears nor reaches. */
  partition: Set<string>;
}

/** Sees a decoded inbound message first; returns true to swallow it (the node never sees it). */
export type InboundHook = (from: PeerAddress, message: Message) => boolean;
/** Sees a decoded outbound message; returns a replacement, or undefined to send it as is. */
export type OutboundHook = (to: PeerAddress, message: Message) => Message | undefined;

export interface FaultyTransportStats {
  dropped: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
  delayed: number;
  partitioned: number;
  swallowed: number;
  rewritten: number;
}

/**
 * Wraps the node's real transport (whatever it is: udp, tcp, memory) so that faults act on
 * whole protocol messages, in both directions, above the transport's own framing. With no
 * condition set and no hook it passes everything through untouched and synchronously.
 */
export class FaultyTransport implements Transport {
  readonly link: LinkFaults = { drop: 0, duplicate: 0, reorder: 0, corrupt: 0, delayMs: 0, jitterMs: 0, partition: new Set() };
  readonly counts: FaultyTransportStats = {
    dropped: 0,
    duplicated: 0,
    reordered: 0,
    corrupted: 0,
    delayed: 0,
    partitioned: 0,
    swallowed: 0,
    rewritten: 0,
  };
  private readonly handlers: Array<(from: PeerAddress, message: Buffer) => void> = [];
  private readonly inboundHooks: InboundHook[] = [];
  private readonly outboundHooks: OutboundHook[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private running = false;

  constructor(
    readonly inner: Transport,
    private readonly random: () => number,
    private readonly log: Logger,
  ) {
    inner.onMessage((from, message) => this.receive(from, message));
  }

  get address(): PeerAddress {
    return this.inner.address;
  }

  stats(): Readonly<Record<string, number>> {
    return this.inner.stats?.() ?? {};
  }

  async start(): Promise<void> {
    this.running = true;
    await this.inner.start?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.inner.stop?.();
  }

  onMessage(handler: (from: PeerAddress, message: Buffer) => void): void {
    this.handlers.push(handler);
  }

  onInbound(hook: InboundHook): void {
    this.inboundHooks.push(hook);
  }

  onOutbound(hook: OutboundHook): void {
    this.outboundHooks.push(hook);
  }

  send(to: PeerAddress, message: Uint8Array): void {
    let bytes = message;
    if (this.outboundHooks.length) {
      const decoded = tryDecode(message);
      if (decoded) {
        for (const hook of this.outboundHooks) {
          const replaced = hook(to, decoded);
          if (replaced) {
            this.counts.rewritten++;
            bytes = reframe(Buffer.from(message), replaced);
            break;
          }
        }
      }
    }
    this.condition(to, bytes, (b) => this.inner.send(to, b), true);
  }

  /** Sends bytes exactly as given (still subject to the link conditions): for crafted messages. */
  sendRaw(to: PeerAddress, bytes: Uint8Array): void {
    this.condition(to, bytes, (b) => this.inner.send(to, b), true);
  }

  private receive(from: PeerAddress, message: Buffer): void {
    this.condition(from, message, (bytes) => {
      if (this.inboundHooks.length) {
        const decoded = tryDecode(bytes);
        if (decoded && this.inboundHooks.some((hook) => hook(from, decoded))) {
          this.counts.swallowed++;
          return;
        }
      }
      for (const handler of this.handlers) handler(from, Buffer.from(bytes));
    });
  }

  /**
   * Partition, loss, corruption, duplication, delay and reordering, in that order. An outbound
   * message sent at once lets the wrapped transport's refusal (a message over its size limit)
   * reach the caller, as it would without the wrapper.
   */
  private condition(peer: PeerAddress, bytes: Uint8Array, deliver: (bytes: Uint8Array) => void, outbound = false): void {
    const link = this.link;
    if (link.partition.size && link.partition.has(keyOf(peer))) {
      this.counts.partitioned++;
      return;
    }
    if (link.drop > 0 && this.random() < link.drop) {
      this.counts.dropped++;
      return;
    }
    let out = bytes;
    // Only session frames are garbled: a garbled handshake is noise from an unproven source,
    // which costs nobody anything, so it would show nothing of how peers are judged.
    if (link.corrupt > 0 && bytes[0] !== 0x7b && this.random() < link.corrupt) {
      this.counts.corrupted++;
      out = Buffer.from(bytes);
      const flips = 1 + Math.floor(this.random() * 3);
      for (let i = 0; i < flips && out.length; i++) out[Math.floor(this.random() * out.length)] ^= 1 + Math.floor(this.random() * 255);
    }
    const copies = link.duplicate > 0 && this.random() < link.duplicate ? 2 : 1;
    if (copies === 2) this.counts.duplicated++;
    for (let c = 0; c < copies; c++) {
      let wait = link.delayMs > 0 ? Math.max(0, link.delayMs + (this.random() * 2 - 1) * link.jitterMs) : 0;
      // A held-back message lets the ones sent after it overtake it.
      if (link.reorder > 0 && this.random() < link.reorder) {
        this.counts.reordered++;
        wait += 5 + link.delayMs + this.random() * (20 + link.delayMs);
      }
      if (wait <= 0) {
        if (outbound) deliver(out);
        else this.safely(deliver, out);
      } else {
        this.counts.delayed++;
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (this.running) this.safely(deliver, out);
        }, wait);
        this.timers.add(timer);
      }
    }
  }

  private safely(deliver: (bytes: Uint8Array) => void, bytes: Uint8Array): void {
    try {
      deliver(bytes);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'faulty transport could not deliver a message');
    }
  }
}

function tryDecode(bytes: Uint8Array): Message | undefined {
  try {
    return decodeMessage(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
  } catch {
    return undefined;
  }
}
