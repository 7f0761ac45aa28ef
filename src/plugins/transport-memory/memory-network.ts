import type { PeerAddress } from '../../kernel/index.js';
import { TransportError } from './errors.js';
import { seededRandom } from '../../kernel/index.js';

export interface LinkConditions {
  /** Base one-way delay (ms). */
  latencyMs?: number;
  /** Extra delay drawn uniformly from [0, jitterMs) per message. */
  jitterMs?: number;
  /** Probability a message is lost. */
  loss?: number;
  /** Probability a message arrives twice. */
  duplicate?: number;
  /** Probability a message is held back by up to two base latencies (plus 1 ms), so later ones overtake it. */
  reorder?: number;
}

export interface MemoryNetworkOptions extends LinkConditions {
  /** Seeds every random choice: the same seed and the same sends give the same deliveries. */
  seed?: number;
}

export interface MemoryNetworkStats {
  sent: number;
  delivered: number;
  lost: number;
  duplicated: number;
  /** Not delivered because the sender and receiver were in different partition groups. */
  partitioned: number;
  /** Not delivered because nothing was attached at the destination when it arrived. */
  unreachable: number;
  inFlight: number;
}

export type MemoryReceiver = (from: PeerAddress, message: Buffer) => void;

interface Delivery {
  readonly at: number;
  readonly seq: number;
  readonly from: PeerAddress;
  readonly to: string;
  readonly message: Buffer;
}

function key(address: PeerAddress): string {
  return `${address.host}:${address.port}`;
}

const FIRST_PORT = 10_000;

/**
 * An in-process network for deterministic tests and simulation. Deliveries are ordered on the
 * network's own virtual clock (the due time of the delivery being made) rather than the wall
 * clock, so the order in which messages arrive depends only on the seed and the sequence of sends
 * and deliveries, never on how busy the machine is: a run whose sends are made at start or from
 * message handlers replays exactly. A real timer still waits out each latency.
 */
export class MemoryNetwork {
  private readonly random: () => number;
  private readonly defaults: Required<LinkConditions>;
  private readonly links = new Map<string, LinkConditions>();
  private readonly endpoints = new Map<string, MemoryReceiver>();
  private groups?: Map<string, number>;
  /** Pending deliveries, kept sorted by (at, seq). */
  private queue: Delivery[] = [];
  private now = 0;
  private seq = 0;
  private nextPort = FIRST_PORT;
  private timer?: NodeJS.Timeout;
  private idleWaiters: Array<() => void> = [];
  private readonly counters = { sent: 0, delivered: 0, lost: 0, duplicated: 0, partitioned: 0, unreachable: 0 };

  constructor(options: MemoryNetworkOptions = {}) {
    this.random = seededRandom(options.seed ?? 1);
    this.defaults = {
      latencyMs: options.latencyMs ?? 1,
      jitterMs: options.jitterMs ?? 0,
      loss: options.loss ?? 0,
      duplicate: options.duplicate ?? 0,
      reorder: options.reorder ?? 0,
    };
  }

  /** Attaches a receiver at `host:port` (port 0 or absent: the next free fake port); fails if the address is taken. */
  attach(receiver: MemoryReceiver, host = '127.0.0.1', port = 0): PeerAddress {
    if (port === 0) {
      while (this.endpoints.has(`${host}:${this.nextPort}`)) this.nextPort++;
      port = this.nextPort++;
    }
    const address = { host, port };
    if (this.endpoints.has(key(address)))
      throw new TransportError('TRANSPORT_BIND_FAILED', `memory address ${key(address)} is already in use`, { ...address });
    this.endpoints.set(key(address), receiver);
    return address;
  }

  /** Messages on their way to a detached address are dropped when they arrive. */
  detach(address: PeerAddress): void {
    this.endpoints.delete(key(address));
  }

  /**
   * Splits the network: a message between addresses in different groups is lost, in flight ones
   * included (the check is made on arrival). Addresses in no group reach everyone.
   */
  partition(...groups: PeerAddress[][]): void {
    this.groups = new Map();
    groups.forEach((group, i) => group.forEach((address) => this.groups!.set(key(address), i)));
  }

  heal(): void {
    this.groups = undefined;
  }

  /** Overrides the conditions between `a` and `b`, both ways; `undefined` restores the network's defaults. */
  link(a: PeerAddress, b: PeerAddress, conditions: LinkConditions | undefined): void {
    for (const k of [`${key(a)}>${key(b)}`, `${key(b)}>${key(a)}`]) {
      if (conditions) this.links.set(k, conditions);
      else this.links.delete(k);
    }
  }

  stats(): MemoryNetworkStats {
    return { ...this.counters, inFlight: this.queue.length };
  }

  /** Resolves when nothing is in flight. */
  idle(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  send(from: PeerAddress, to: PeerAddress, message: Uint8Array): void {
    this.counters.sent++;
    const fromKey = key(from);
    const toKey = key(to);
    const c = { ...this.defaults, ...this.links.get(`${fromKey}>${toKey}`) };
    // Draw the same number of random values for every message, so one link's conditions do not shift another's choices.
    const lost = this.random() < c.loss;
    const twice = this.random() < c.duplicate;
    const delays = [0, 1].map(() => {
      const jitter = this.random() * c.jitterMs;
      const held = this.random() < c.reorder ? this.random() * (2 * c.latencyMs + 1) : (this.random(), 0);
      return c.latencyMs + jitter + held;
    });
    if (lost) {
      this.counters.lost++;
      return;
    }
    const copies = twice ? 2 : 1;
    if (twice) this.counters.duplicated++;
    for (let i = 0; i < copies; i++)
      this.enqueue({ at: this.now + delays[i]!, seq: this.seq++, from: { ...from }, to: toKey, message: Buffer.from(message) });
  }

  private enqueue(delivery: Delivery): void {
    // Binary search for the insertion point: the queue stays sorted by (at, seq).
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const other = this.queue[mid]!;
      if (other.at < delivery.at || (other.at === delivery.at && other.seq < delivery.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, delivery);
    if (lo === 0) this.arm();
  }

  private arm(): void {
    clearTimeout(this.timer);
    const head = this.queue[0];
    if (!head) return;
    this.timer = setTimeout(() => this.deliverDue(), Math.max(0, head.at - this.now));
  }

  private deliverDue(): void {
    this.timer = undefined;
    const head = this.queue[0];
    if (head) this.now = Math.max(this.now, head.at);
    // Everything due at this virtual instant goes in this turn, in order.
    while (this.queue.length > 0 && this.queue[0]!.at <= this.now) this.deliver(this.queue.shift()!);
    if (this.queue.length > 0) this.arm();
    else for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private deliver(d: Delivery): void {
    const groupA = this.groups?.get(key(d.from));
    const groupB = this.groups?.get(d.to);
    if (groupA !== undefined && groupB !== undefined && groupA !== groupB) {
      this.counters.partitioned++;
      return;
    }
    const receiver = this.endpoints.get(d.to);
    if (!receiver) {
      this.counters.unreachable++;
      return;
    }
    this.counters.delivered++;
    try {
      receiver(d.from, d.message);
    } catch {
      // A receiver's fault must not stop the deliveries to everyone else.
    }
  }
}
