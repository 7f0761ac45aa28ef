import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { inject, injectable } from 'tsyringe';
import type { ChainEngine } from '../chain/index.js';
import type { BlockEvent, NodeEvents } from '../events.js';
import type { Mempool } from '../mempool/index.js';
import { assertWired } from '../plugin.js';
import { peerKey, type Clock, type Discovery, type PeerAddress, type Service, type Store, type Transport } from '../services.js';
import type { StoreHealth, StoreStatus } from '../store/index.js';
import { CHAIN, CLOCK, DISCOVERY, EVENTS, LOGGER, MEMPOOL, PEER_POLICY, STORE, STORE_HEALTH, TRANSPORT, TX_RULES } from '../tokens.js';
import type { Tx, TxRules } from '../tx/index.js';
import { AddressBook } from './address-book.js';
import { newEdgeCounters } from './edge-counters.js';
import { Handshake } from './handshake.js';
import type { NetworkStats } from './network-stats.js';
import { HandshakeKeys } from './handshake-keys.js';
import { Dialer } from './dialer.js';
import { PeerJudge } from './judge.js';
import { decodeSession, encodeSession, MAX_INV, PROTOCOL_VERSION, readFrame, type SessionMessage } from './messages.js';
import { PeerBook, type PeerPolicy, type PeerState } from './peer-book.js';
import { Relay } from './relay.js';
import { SESSION_HANDLERS, type NetContext } from './session-handlers.js';
import { SyncManager } from './sync.js';

const STATUS_EVERY_MS = 5000;
const PEER_SILENT_MS = 30_000;
/** A session still waiting for its hello-ack after this long asks again. */
const REHELLO_MS = 2000;
const PEER_EXCHANGE_MS = 30_000;

/**
 * The gossip protocol: the proof-of-address handshake, announcements, fetch on demand,
 * headers-first sync, peer exchange and peer scoring. Every inbound frame is bounded, its
 * session checked before it is parsed, then schema-checked; every verdict on it comes from
 * the verdict table, and whatever judging throws becomes a coded rejection of the input.
 */
@injectable()
export class Network implements Service {
  readonly book: PeerBook;
  readonly addresses: AddressBook;
  readonly sync: SyncManager;
  private readonly handshake: Handshake;
  private readonly counters = newEdgeCounters();
  private readonly judgement: PeerJudge;
  private readonly relay: Relay;
  private readonly dialer: Dialer;
  private readonly ctx: NetContext;
  private timer?: NodeJS.Timeout;
  private lastExchange = 0;
  private running = false;
  private readonly onBlock = () => this.relay.scheduleAnnounce();
  private readonly onTx = (e: { id: string; tx: Tx; source?: string }) => this.relay.queueTx(e.tx, e.source);
  private readonly onPeers = () => this.refreshDiscovered();
  private readonly onStore = (s: StoreStatus) => {
    if (s.writable) this.sync.resume();
  };

  constructor(
    @inject(TRANSPORT) private readonly transport: Transport,
    @inject(DISCOVERY) private readonly discovery: Discovery,
    @inject(CHAIN) private readonly chain: ChainEngine,
    @inject(MEMPOOL) private readonly mempool: Mempool,
    @inject(TX_RULES) txRules: TxRules,
    @inject(STORE) store: Store,
    @inject(STORE_HEALTH) private readonly health: StoreHealth,
    @inject(EVENTS) private readonly events: NodeEvents,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(PEER_POLICY) policy: PeerPolicy,
    @inject(LOGGER) private readonly log: Logger,
  ) {
    assertWired('Network', { transport, discovery, chain, mempool, txRules, store, health, events, clock, policy, log });
    this.book = new PeerBook(clock, policy);
    this.addresses = new AddressBook(clock);
    this.judgement = new PeerJudge(this.book, events, log);
    this.relay = new Relay(
      { running: () => this.running, send: (p, m) => this.send(p, m), sendRaw: (p, b) => this.sendRaw(p, b) },
      this.book,
      chain,
      log,
    );
    this.sync = new SyncManager(
      { send: (p, m) => this.send(p, m), blame: (p, c, m) => this.blame(p, c, m), readyPeers: () => this.book.ready() },
      chain,
      clock,
      events,
      log,
      health,
    );
    this.handshake = new Handshake(new HandshakeKeys(clock), this.book, this.addresses, transport, discovery, clock, this.counters, log, {
      chainClaim: () => this.claim(),
      onClaim: (peer, claim) => this.onClaim(peer, claim),
      isSelf: (a) => this.isSelf(a),
    });
    this.dialer = new Dialer(
      this.book,
      this.addresses,
      clock,
      (a) => this.handshake.greet(a),
      (a) => this.isSelf(a),
    );
    this.ctx = {
      chain,
      mempool,
      txRules,
      health,
      book: this.book,
      addresses: this.addresses,
      sync: this.sync,
      clock,
      counters: this.counters,
      log,
      send: (p, m) => this.send(p, m),
      blame: (p, c, m) => this.blame(p, c, m),
      judge: (p, err, what) => this.judge(p, err, what),
      onClaim: (p, c) => this.onClaim(p, c),
      self: () => this.transport.address,
      noteBlockSource: (hash, p) => this.relay.noteBlockSource(hash, p),
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.transport.onMessage((from, bytes) => this.receive(from, bytes));
    this.events.on('block', this.onBlock);
    this.events.on('tx', this.onTx);
    this.events.on('store', this.onStore);
    this.discovery.onChange(this.onPeers);
    this.refreshDiscovered();
    this.timer = setInterval(() => this.tick(), 500);
    this.timer.unref();
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.timer);
    this.relay.stop();
    this.events.off('block', this.onBlock);
    this.events.off('tx', this.onTx);
    this.events.off('store', this.onStore);
    this.sync.reset();
  }

  stats(): NetworkStats {
    return {
      peers: this.book.all().map((p) => ({
        peer: p.key,
        ready: p.ready,
        origin: p.origin,
        height: p.height,
        score: Math.round(p.score),
        rejections: { ...p.rejections },
      })),
      banned: this.book.bans(),
      rejections: { ...this.judgement.rejections },
      edge: { ...this.counters },
      addresses: this.addresses.size,
      transport: this.transport.stats?.() ?? {},
      syncing: this.sync.active,
    };
  }

  /** Sends JSON bytes (possibly not a valid message: the faults plugin) to a peer in its session frame. */
  sendRaw(peer: PeerState, body: Uint8Array): void {
    if (peer.present) this.transport.send(peer.address, encodeSession(peer.present, body));
  }

  send(peer: PeerState, message: SessionMessage): void {
    if (peer.present) this.transport.send(peer.address, encodeSession(peer.present, message));
  }

  private isSelf(a: PeerAddress): boolean {
    const self = this.transport.address;
    return a.port === self.port && (a.host === self.host || a.host === '127.0.0.1' || a.host === 'localhost');
  }

  private claim(): { version: number; chainId: string; tip: string; height: number; work: string } {
    const tip = this.chain.tip();
    return { version: PROTOCOL_VERSION, chainId: this.chain.chainId, tip: tip.hash, height: tip.height, work: tip.totalWork.toString(16) };
  }

  private refreshDiscovered(): void {
    if (!this.running) return;
    this.addresses.setDiscovered(this.discovery.peers().filter((a) => !this.isSelf(a)));
    this.dialer.dial();
  }

  /** A proven peer's chain claim. False (and the peer blamed) when it is for another chain or version. */
  private onClaim(peer: PeerState, claim: { version: number; chainId: string; tip: string; height: number; work: string }): boolean {
    if (claim.chainId !== this.chain.chainId || claim.version !== PROTOCOL_VERSION) {
      const what = claim.chainId !== this.chain.chainId ? `chain ${claim.chainId.slice(0, 12)}` : `protocol version ${claim.version}`;
      this.blame(peer, 'WRONG_CHAIN', `its hello is for ${what}`);
      return false;
    }
    const wasReady = peer.ready;
    peer.height = claim.height;
    peer.tip = claim.tip;
    peer.work = BigInt('0x' + claim.work);
    if (peer.present) peer.ready = true;
    if (peer.ready && !wasReady) {
      this.addresses.succeeded(peer.address);
      this.log.info({ peer: peer.key, origin: peer.origin, height: claim.height }, 'peer connected');
      // What waited here while we had no peers reached nobody: a new peer hears of it (it fetches what it lacks).
      const waiting = this.mempool.ids().slice(0, MAX_INV);
      if (waiting.length) this.send(peer, { t: 'inv', txs: waiting });
    }
    this.sync.consider(peer);
    return true;
  }

  /** Charges a peer by the verdict table (the sync, the handlers and the faults plugin use this). */
  blame(peer: PeerState, code: string, message: string): void {
    this.judgement.blame(peer, code, message);
  }

  private judge(peer: PeerState, err: unknown, what: string): void {
    this.judgement.judge(peer, err, what);
  }

  private receive(from: PeerAddress, bytes: Buffer): void {
    if (!this.running) return;
    const frame = readFrame(bytes);
    if (frame.kind === 'unknown') {
      this.counters.unframed++;
      return;
    }
    if (frame.kind === 'handshake') {
      try {
        this.handshake.receive(from, frame.body);
      } catch (err) {
        // The source is unproven: nothing is charged, only counted and logged.
        this.counters.badHandshakes++;
        this.log.warn({ from: peerKey(from), err: (err as Error)?.message ?? String(err) }, 'a handshake frame could not be judged');
      }
      return;
    }
    const peer = this.book.get(from);
    if (!peer || !timingSafeEqual(frame.token, peer.expect)) return this.handshake.lostSession(from, bytes.length);
    if (!this.book.admit(peer)) return this.blame(peer, 'FLOOD', 'sends faster than its allowance');
    let message: SessionMessage;
    try {
      message = decodeSession(frame.body);
    } catch (err) {
      return this.judge(peer, err, 'decode');
    }
    peer.lastHeard = this.clock.now();
    if (!peer.ready && message.t !== 'hello-ack' && message.t !== 'status') return; // its claim first
    this.dispatch(peer, message);
  }

  private dispatch(peer: PeerState, message: SessionMessage): void {
    try {
      const handler = SESSION_HANDLERS[message.t] as (ctx: NetContext, peer: PeerState, m: SessionMessage) => void | Promise<void>;
      const work = handler(this.ctx, peer, message);
      if (work) work.catch((err: unknown) => this.judge(peer, err, message.t));
    } catch (err) {
      this.judge(peer, err, message.t);
    }
  }

  private tick(): void {
    const now = this.clock.now();
    for (const peer of this.book.all()) {
      if (now - peer.lastHeard > PEER_SILENT_MS) {
        // Silent: its slot goes back; discovery's addresses are dialled again on their schedule.
        this.book.remove(peer.key);
        this.log.info({ peer: peer.key, silentMs: now - peer.lastHeard }, 'peer lost: silent');
        continue;
      }
      // Proven but not answered (its hello-ack was lost): prove ourselves again; its answer is the ack.
      if (!peer.present && now - Math.max(peer.since, peer.lastRehello) > REHELLO_MS) {
        peer.lastRehello = now;
        this.handshake.greet(peer.address);
      }
      if (peer.ready && now - peer.lastStatusSent > STATUS_EVERY_MS) {
        peer.lastStatusSent = now;
        this.send(peer, { t: 'status', ...this.claim() });
      }
    }
    this.dialer.dial();
    if (now - this.lastExchange > PEER_EXCHANGE_MS) {
      this.lastExchange = now;
      const ready = this.book.ready();
      if (ready.length) this.send(ready[Math.floor(Math.random() * ready.length)]!, { t: 'getpeers' });
    }
    this.sync.tick();
    if (!this.sync.active) {
      const best = this.book
        .ready()
        .filter((p) => this.sync.prefers(p))
        .reduce<PeerState | undefined>((b, p) => (!b || p.work > b.work ? p : b), undefined);
      if (best) this.sync.consider(best);
    }
    if (this.relay.behind) this.relay.scheduleAnnounce();
  }
}

export type { BlockEvent, NetworkStats };
