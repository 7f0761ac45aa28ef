import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { inject, injectable } from 'tsyringe';
import type { Block } from '../block.js';
import type { ChainEngine } from '../chain/index.js';
import type { NodeConfig } from '../config.js';
import { CairnError, StoreError } from '../errors.js';
import type { BlockEvent, NodeEvents } from '../events.js';
import type { Mempool } from '../mempool/index.js';
import { assertWired } from '../plugin.js';
import { peerKey, type Clock, type Discovery, type PeerAddress, type Service, type Store, type Transport } from '../services.js';
import type { StoreHealth, StoreStatus } from '../store/index.js';
import { CHAIN, CLOCK, CONFIG, DISCOVERY, EVENTS, LOGGER, MEMPOOL, STORE, STORE_HEALTH, TRANSPORT } from '../tokens.js';
import type { Tx } from '../tx/index.js';
import { rowOf } from '../verdicts.js';
import { AddressBook } from './address-book.js';
import { newEdgeCounters, type EdgeCounters } from './edge-counters.js';
import { Handshake } from './handshake.js';
import { HandshakeKeys } from './handshake-keys.js';
import { DecodeError, decodeSession, encodeSession, MAX_INV, PROTOCOL_VERSION, readFrame, type SessionMessage } from './messages.js';
import { DEFAULT_PEER_BOOK, PeerBook, type PeerState } from './peer-book.js';
import { SESSION_HANDLERS, type NetContext } from './session-handlers.js';
import { SyncManager } from './sync.js';

/** Blocks up to this size are pushed whole to peers (one hop saved); larger ones are announced. */
const PUSH_BLOCK_BYTES = 48 * 1024;
const STATUS_EVERY_MS = 5000;
const PEER_SILENT_MS = 30_000;
/** A session still waiting for its hello-ack after this long asks again. */
const REHELLO_MS = 2000;
const TX_FLUSH_MS = 20;
const PEER_EXCHANGE_MS = 30_000;
/** Exchanged (hearsay) addresses are dialled at most this often, so a peer's list cannot make us greet strangers in bulk. */
const EXCHANGE_DIAL_EVERY_MS = 1000;
const MAX_BLOCK_SOURCES = 1024;
/** Codes that only mean "already have it": normal gossip, counted nowhere. */
const DUPLICATES = new Set(['TX_KNOWN', 'TX_ALREADY_IN_CHAIN', 'BLOCK_KNOWN']);

export interface NetworkStats {
  peers: Array<{
    peer: string;
    ready: boolean;
    origin: 'outbound' | 'inbound';
    height: number;
    score: number;
    rejections: Record<string, number>;
  }>;
  /** Banned peers, with what each was counted for before the ban (its record is gone). */
  banned: Array<{ peer: string; until: number; reason: string; rejections: Record<string, number> }>;
  rejections: Record<string, number>;
  /** What the edge turned away before it was any peer's business. */
  edge: EdgeCounters;
  addresses: { discovery: number; exchange: number };
  /** The transport's own counters (datagrams malformed, rate-limited, dropped...). */
  transport: Readonly<Record<string, number>>;
  syncing: boolean;
}

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
  private readonly rejections: Record<string, number> = {};
  private readonly ctx: NetContext;
  private txOutbox: Array<{ tx: Tx; from?: string }> = [];
  private txFlush?: NodeJS.Timeout;
  private timer?: NodeJS.Timeout;
  private lastExchange = 0;
  private lastExchangeDial = 0;
  private announceScheduled = false;
  private lastAnnounced = '';
  private readonly blockSource = new Map<string, string>();
  private running = false;
  private readonly onBlock = () => this.scheduleAnnounce();
  private readonly onTx = (e: { id: string; tx: Tx; source?: string }) => this.queueTx(e.tx, e.source);
  private readonly onPeers = () => this.refreshDiscovered();
  private readonly onStore = (s: StoreStatus) => {
    if (s.writable) this.sync.resume();
  };

  constructor(
    @inject(TRANSPORT) private readonly transport: Transport,
    @inject(DISCOVERY) private readonly discovery: Discovery,
    @inject(CHAIN) private readonly chain: ChainEngine,
    @inject(MEMPOOL) private readonly mempool: Mempool,
    @inject(STORE) store: Store,
    @inject(STORE_HEALTH) private readonly health: StoreHealth,
    @inject(EVENTS) private readonly events: NodeEvents,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(CONFIG) config: NodeConfig,
    @inject(LOGGER) private readonly log: Logger,
  ) {
    assertWired('Network', { transport, discovery, chain, mempool, store, health, events, clock, config, log });
    this.book = new PeerBook(clock, { ...DEFAULT_PEER_BOOK, banMs: config.banMs });
    this.addresses = new AddressBook(clock);
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
    this.ctx = {
      chain,
      mempool,
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
      noteBlockSource: (hash, p) => this.noteBlockSource(hash, p),
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
    clearTimeout(this.txFlush);
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
      rejections: { ...this.rejections },
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
    this.dial();
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
      this.log.info({ peer: peer.key, origin: peer.origin, height: claim.height }, 'peer ready');
      // What waited here while we had no peers reached nobody: a new peer hears of it (it fetches what it lacks).
      const waiting = this.mempool.ids().slice(0, MAX_INV);
      if (waiting.length) this.send(peer, { t: 'inv', txs: waiting });
    }
    this.sync.consider(peer);
    return true;
  }

  private broadcast(message: SessionMessage, except?: string): void {
    const peers = this.book.ready();
    if (!peers.length) return;
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    for (const peer of peers) if (peer.key !== except) this.sendRaw(peer, body);
  }

  /** Counts a rejection and charges the peer the points its code has in the verdict table. */
  blame(peer: PeerState, code: string, message: string): void {
    if (DUPLICATES.has(code)) return;
    const { row } = rowOf(code);
    this.rejections[code] = (this.rejections[code] ?? 0) + 1;
    // Counted per peer even when free (an ignored future block): status shows who sent what.
    peer.rejections[code] = (peer.rejections[code] ?? 0) + 1;
    this.events.emit('rejected', { kind: code.startsWith('TX') ? 'tx' : 'block', code, message, verdict: row.verdict, peer: peer.key });
    this.log.debug({ peer: peer.key, code, verdict: row.verdict, points: row.points }, message);
    if (row.verdict === 'ignore' || row.points === 0) return;
    if (this.book.penalize(peer, code, row.points)) this.log.warn({ peer: peer.key, code }, `banned peer ${peer.key}: ${message}`);
  }

  /**
   * The one place a failure of judging a peer's input lands: a coded rejection is charged by
   * its code; our own store failing is ours, not the peer's; anything else means the input
   * was malformed in a way no check foresaw, and costs the sender as such (logged once, at warn).
   */
  private judge(peer: PeerState, err: unknown, what: string): void {
    // Our store failing is a verdict on this node, not the sender; the store health said why, once.
    if (err instanceof StoreError) return;
    if (err instanceof CairnError) return this.blame(peer, err.code, err.message);
    if (err instanceof DecodeError) return this.blame(peer, err.code, err.message);
    const reason = err instanceof Error ? err.message : String(err);
    this.log.warn({ peer: peer.key, type: what, err: reason }, 'judging a message threw; rejected as malformed');
    this.blame(peer, 'INPUT_MALFORMED', `${what} could not be judged: ${reason.slice(0, 200)}`);
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

  private noteBlockSource(hash: string, peer: PeerState): void {
    if (this.blockSource.size >= MAX_BLOCK_SOURCES) this.blockSource.delete(this.blockSource.keys().next().value!);
    this.blockSource.set(hash, peer.key);
  }

  /** Greets addresses whose turn has come, while outbound slots are free. */
  private dial(): void {
    const now = this.clock.now();
    const { maxOutbound, maxOutboundExchanged } = this.book.options;
    let outbound = this.book.all().filter((p) => p.origin === 'outbound').length;
    // Sessions to hearsay addresses give way to discovery's (see PeerBook.makeRoom).
    let hearsay = this.book.exchangedOutbound().length;
    for (const entry of this.addresses.due()) {
      const exchanged = entry.source === 'exchange';
      if (outbound >= maxOutbound && (exchanged || hearsay === 0)) continue;
      if (exchanged && hearsay >= maxOutboundExchanged) continue;
      if (this.book.get(entry.address) || this.book.isBanned(entry.key) || this.isSelf(entry.address)) continue;
      if (exchanged) {
        if (now - this.lastExchangeDial < EXCHANGE_DIAL_EVERY_MS) continue;
        this.lastExchangeDial = now;
        hearsay++;
      } else if (outbound >= maxOutbound) hearsay--;
      this.addresses.attempted(entry.address);
      this.handshake.greet(entry.address);
      outbound++;
    }
  }

  private scheduleAnnounce(): void {
    if (this.announceScheduled) return;
    this.announceScheduled = true;
    // A burst of connected blocks (a sync page, a reorg) is announced once, by its tip.
    setImmediate(() => {
      this.announceScheduled = false;
      this.announceTip().catch((err: unknown) => this.log.warn({ err: (err as Error)?.message }, 'announcing the tip failed'));
    });
  }

  private async announceTip(): Promise<void> {
    const tip = this.chain.tip();
    // Every peer of this chain has its genesis, and the genesis carries no proof of work: pushed,
    // it fails the seal check and gets this node banned by a fresh peer. A sync in progress does
    // not hold announcements back: a peer that claims more work and never answers would keep
    // this node "syncing", and its own blocks unannounced, until it was banned.
    if (!this.running || tip.hash === this.lastAnnounced || tip.height === 0) return;
    this.lastAnnounced = tip.hash;
    let block: Block | undefined;
    try {
      block = await this.chain.block(tip.hash);
    } catch (err) {
      // Scheduled just before the node stopped: its store is closed, and there is no one to tell.
      if (this.running) this.log.warn({ err: (err as Error).message }, 'cannot read the tip to announce it');
      return;
    }
    if (!block || !this.running) return;
    const source = this.blockSource.get(tip.hash);
    this.blockSource.clear();
    if (JSON.stringify(block).length <= PUSH_BLOCK_BYTES) this.broadcast({ t: 'blocks', blocks: [block] }, source);
    else this.broadcast({ t: 'inv', blocks: [tip.hash] }, source);
  }

  private queueTx(tx: Tx, from?: string): void {
    this.txOutbox.push({ tx, from });
    this.txFlush ??= setTimeout(() => this.flushTxs(), TX_FLUSH_MS);
  }

  /** Transactions are small: they are pushed in batches rather than announced. */
  private flushTxs(): void {
    this.txFlush = undefined;
    const outbox = this.txOutbox;
    this.txOutbox = [];
    for (const peer of this.book.ready()) {
      const txs = outbox.filter((o) => o.from !== peer.key).map((o) => o.tx);
      for (let i = 0; i < txs.length; i += MAX_INV) this.send(peer, { t: 'txs', txs: txs.slice(i, i + MAX_INV) });
    }
  }

  private tick(): void {
    const now = this.clock.now();
    for (const peer of this.book.all()) {
      if (now - peer.lastHeard > PEER_SILENT_MS) {
        // Silent: its slot goes back; discovery's addresses are dialled again on their schedule.
        this.book.remove(peer.key);
        this.log.info({ peer: peer.key }, 'peer silent');
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
    this.dial();
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
    if (this.chain.tip().hash !== this.lastAnnounced) this.scheduleAnnounce();
  }
}

export type { BlockEvent };
