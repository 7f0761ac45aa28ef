import type { Logger } from 'pino';
import {
  encodeSession,
  type ChainEngine,
  type Clock,
  type Discovery,
  type Mempool,
  type Message,
  type Miner,
  type Network,
  type NodeConfig,
  type NodeEvents,
} from '../../kernel/index.js';
import type { FaultyStore } from './faulty-store.js';
import type { FaultyTransport } from './faulty-transport.js';

/** A ready peer as the faulty node's own gossip layer knows it. */
export type Peer = ReturnType<Network['book']['ready']>[number];

export interface FaultServices {
  chain: ChainEngine;
  mempool: Mempool;
  events: NodeEvents;
  clock: Clock;
  config: NodeConfig;
  log: Logger;
  random: () => number;
  network?: Network;
  discovery?: Discovery;
  transport?: FaultyTransport;
  store?: FaultyStore;
  miner?: Miner;
}

/**
 * What a behaviour works with: the node's services, one seeded random source, and timers
 * and hooks that the plugin undoes when the node stops. Every action is wrapped so that a
 * failing behaviour logs and carries on; a fault must never take its own node down by accident.
 */
export class FaultContext {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly unsubscribe: Array<() => void> = [];
  private stopped = false;

  constructor(
    readonly services: FaultServices,
    readonly fault: string,
  ) {}

  get chain(): ChainEngine {
    return this.services.chain;
  }

  get random(): () => number {
    return this.services.random;
  }

  get log(): Logger {
    return this.services.log;
  }

  get network(): Network {
    if (!this.services.network) throw new Error(`fault ${this.fault} needs a network`);
    return this.services.network;
  }

  get discovery(): Discovery {
    if (!this.services.discovery) throw new Error(`fault ${this.fault} needs discovery`);
    return this.services.discovery;
  }

  get transport(): FaultyTransport {
    if (!this.services.transport) throw new Error(`fault ${this.fault} needs a transport`);
    return this.services.transport;
  }

  /** Peers that finished the handshake with this node. */
  peers(): Peer[] {
    return this.services.network?.book.ready() ?? [];
  }

  send(peer: Peer, message: Message | Record<string, unknown>): void {
    this.sendBytes(peer, Buffer.from(JSON.stringify(message)));
  }

  /**
   * Sends `body` (JSON, or anything a fault makes) in the peer's session frame, past the
   * outbound hooks: a fault that sent bare bytes would be dropped unread, as any spoofer is.
   */
  sendBytes(peer: Peer, body: Uint8Array): void {
    if (peer.present) this.transport.sendRaw(peer.address, encodeSession(peer.present, body));
  }

  private guard(what: string, fn: () => unknown): void {
    if (this.stopped) return;
    try {
      const result = fn();
      if (result instanceof Promise)
        result.catch((err: unknown) => this.log.warn({ fault: this.fault, err: (err as Error).message }, `fault ${what} failed`));
    } catch (err) {
      this.log.warn({ fault: this.fault, err: (err as Error).message }, `fault ${what} failed`);
    }
  }

  timeout(ms: number, fn: () => unknown): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.guard('action', fn);
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  interval(ms: number, fn: () => unknown): void {
    const timer = setInterval(() => this.guard('action', fn), ms);
    timer.unref();
    this.timers.add(timer);
  }

  /**
   * Acts on each ready peer about every `everyMs` (±25%, from the seeded source), the first
   * time about half that after the handshake.
   */
  everyPeer(everyMs: number, act: (peer: Peer) => unknown): void {
    const due = new Map<string, number>();
    this.interval(Math.min(250, everyMs / 2), () => {
      const now = Date.now();
      for (const peer of this.peers()) {
        const at = due.get(peer.key);
        if (at === undefined) due.set(peer.key, now + everyMs * (0.4 + 0.2 * this.random()));
        else if (now >= at) {
          due.set(peer.key, now + everyMs * (0.75 + 0.5 * this.random()));
          this.guard('action', () => act(peer));
        }
      }
    });
  }

  /** Runs once per new tip (a burst of blocks counts once). */
  onTip(fn: (tip: string) => unknown): void {
    let scheduled = false;
    const handler = () => {
      if (scheduled) return;
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        this.guard('action', () => fn(this.chain.tip().hash));
      });
    };
    this.services.events.on('block', handler);
    this.unsubscribe.push(() => this.services.events.off('block', handler));
  }

  /** Runs when the node stops (after timers are cleared). */
  onStop(fn: () => void): void {
    this.unsubscribe.push(fn);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const off of this.unsubscribe.splice(0)) off();
  }
}
