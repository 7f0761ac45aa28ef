import type { Logger } from 'pino';
import { inject, injectable } from 'tsyringe';
import type { Block } from '../block.js';
import type { ChainEngine } from '../chain.js';
import type { NodeConfig } from '../config.js';
import { BlockRejection, StoreError, TxRejection } from '../errors.js';
import type { BlockEvent, NodeEvents } from '../events.js';
import type { Mempool } from '../mempool.js';
import { assertWired } from '../plugin.js';
import type { Clock, Discovery, PeerAddress, Service, Store, Transport } from '../services.js';
import type { StoreHealth, StoreStatus } from '../store-health.js';
import { CHAIN, CLOCK, CONFIG, DISCOVERY, EVENTS, LOGGER, MEMPOOL, STORE, STORE_HEALTH, TRANSPORT } from '../tokens.js';
import type { Tx } from '../tx.js';
import { ChainStore } from '../chain-store.js';
import { forkHeight } from './locator.js';
import {
  DecodeError,
  decodeMessage,
  encodeMessage,
  MAX_BLOCKS_PER_PAGE,
  MAX_INV,
  MAX_PEERS_SHARED,
  PROTOCOL_VERSION,
  type Hello,
  type Message,
} from './messages.js';
import { DEFAULT_PEER_BOOK, PeerBook, peerKey, penaltyFor, type PeerState } from './peer-book.js';
import { SyncManager } from './sync.js';

/** Blocks up to this size are pushed whole to peers (one hop saved); larger ones are announced. */
const PUSH_BLOCK_BYTES = 48 * 1024;
const PAGE_BYTES = 4 * 1024 * 1024;
const HELLO_EVERY_MS = 5000;
const PEER_SILENT_MS = 30_000;
const TX_FLUSH_MS = 20;
const PEER_EXCHANGE_MS = 30_000;

export interface NetworkStats {
  peers: Array<{ peer: string; ready: boolean; height: number; score: number; rejections: Record<string, number> }>;
  /** Banned peers, with what each was counted for before the ban (its record is gone). */
  banned: Array<{ peer: string; until: number; reason: string; rejections: Record<string, number> }>;
  rejections: Record<string, number>;
  syncing: boolean;
}

/**
 * The gossip protocol: handshake, announcements, fetch on demand, headers-first sync, peer
 * exchange and peer scoring. Every inbound message is bounded, parsed and schema-checked
 * before use; every verdict on it is accept, ignore or reject, and rejects cost the sender.
 */
@injectable()
export class Network implements Service {
  readonly book: PeerBook;
  readonly sync: SyncManager;
  private readonly cs: ChainStore;
  private readonly rejections: Record<string, number> = {};
  private txOutbox: Array<{ tx: Tx; from?: string }> = [];
  private txFlush?: NodeJS.Timeout;
  private timer?: NodeJS.Timeout;
  private lastExchange = 0;
  private announceScheduled = false;
  private lastAnnounced = '';
  private blockSource = new Map<string, string>();
  private running = false;
  private readonly onBlock = (e: BlockEvent) => this.scheduleAnnounce(e);
  private readonly onTx = (e: { id: string; tx: Tx; source?: string }) => this.queueTx(e.tx, e.source);
  private readonly onPeers = (peers: PeerAddress[]) => this.greet(peers);
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
    this.cs = new ChainStore(store);
    this.book = new PeerBook(clock, { ...DEFAULT_PEER_BOOK, banMs: config.banMs });
    this.sync = new SyncManager(
      { send: (p, m) => this.send(p, m), blame: (p, c, v, m) => this.blame(p, c, v, m), readyPeers: () => this.book.ready() },
      chain,
      clock,
      events,
      log,
      health,
    );
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.transport.onMessage((from, bytes) => this.receive(from, bytes));
    this.events.on('block', this.onBlock);
    this.events.on('tx', this.onTx);
    this.events.on('store', this.onStore);
    this.discovery.onChange(this.onPeers);
    this.greet(this.discovery.peers());
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
      peers: this.book
        .all()
        .map((p) => ({ peer: p.key, ready: p.ready, height: p.height, score: Math.round(p.score), rejections: { ...p.rejections } })),
      banned: this.book.bans(),
      rejections: { ...this.rejections },
      syncing: this.sync.active,
    };
  }

  private isSelf(a: PeerAddress): boolean {
    const self = this.transport.address;
    return a.port === self.port && (a.host === self.host || a.host === '127.0.0.1' || a.host === 'localhost');
  }

  private greet(peers: readonly PeerAddress[]): void {
    if (!this.running) return;
    for (const address of peers) {
      if (this.isSelf(address)) continue;
      const peer = this.book.ensure(address);
      if (peer && !peer.ready) this.sendHello(peer, 'hello');
    }
  }

  private hello(t: Hello['t']): Hello {
    const tip = this.chain.tip();
    return {
      t,
      version: PROTOCOL_VERSION,
      chainId: this.chain.chainId,
      tip: tip.hash,
      height: tip.height,
      work: tip.totalWork.toString(16),
    };
  }

  private sendHello(peer: PeerState, t: Hello['t']): void {
    peer.lastHelloSent = this.clock.now();
    this.send(peer, this.hello(t));
  }

  send(peer: PeerState, message: Message): void {
    this.transport.send(peer.address, encodeMessage(message));
  }

  private broadcast(message: Message, except?: string): void {
    if (!this.book.ready().length) return;
    const bytes = encodeMessage(message);
    for (const peer of this.book.ready()) if (peer.key !== except) this.transport.send(peer.address, bytes);
  }

  private count(code: string): void {
    this.rejections[code] = (this.rejections[code] ?? 0) + 1;
  }

  /** Counts a rejection, costs the peer its penalty, and bans it past the threshold. */
  blame(peer: PeerState, code: string, verdict: 'reject' | 'ignore', message: string): void {
    this.count(code);
    // Counted per peer even when free (an ignored future block): status shows who sent what.
    peer.rejections[code] = (peer.rejections[code] ?? 0) + 1;
    this.events.emit('rejected', { kind: code.startsWith('TX') ? 'tx' : 'block', code, message, verdict, peer: peer.key });
    const points = penaltyFor(code, verdict);
    this.log.debug({ peer: peer.key, code, verdict, points }, message);
    if (points === 0) return;
    if (this.book.penalize(peer, code, points)) this.log.warn({ peer: peer.key, code }, `banned peer ${peer.key}: ${message}`);
  }

  private receive(from: PeerAddress, bytes: Buffer): void {
    if (!this.running) return;
    const key = peerKey(from);
    if (this.book.isBanned(key)) return;
    const peer = this.book.ensure(from);
    if (!peer) return;
    if (!this.book.admit(peer)) {
      this.blame(peer, 'FLOOD', 'reject', 'sends faster than its allowance');
      return;
    }
    let message: Message;
    try {
      message = decodeMessage(bytes);
    } catch (err) {
      if (err instanceof DecodeError) this.blame(peer, err.code, 'reject', err.message);
      return;
    }
    peer.lastHeard = this.clock.now();
    try {
      this.handle(peer, message);
    } catch (err) {
      // A handler bug must not take the node down; it is logged loudly instead.
      this.log.error({ peer: key, type: message.t, err: (err as Error).message }, 'message handler failed');
    }
  }

  /** Async handlers run detached; a failure is logged loudly, never an unhandled rejection that ends the node. */
  private detach(type: string, peer: string | undefined, work: Promise<void>): void {
    work.catch((err: unknown) => this.log.error({ peer, type, err: (err as Error)?.message ?? String(err) }, 'message handler failed'));
  }

  private handle(peer: PeerState, m: Message): void {
    if (m.t === 'hello' || m.t === 'hello-ack') return this.onHello(peer, m);
    if (!peer.ready) {
      // Anything before a hello: introduce ourselves so the peer can answer properly.
      if (this.clock.now() - peer.lastHelloSent > 1000) this.sendHello(peer, 'hello');
      return;
    }
    switch (m.t) {
      case 'inv':
        return this.onInv(peer, m.blocks ?? [], m.txs ?? []);
      case 'getheaders':
        return this.onGetHeaders(peer, m.locator, m.limit ?? 2000);
      case 'headers':
        return this.sync.onHeaders(peer, m.headers);
      case 'getblocks':
        return this.detach(m.t, peer.key, this.onGetBlocks(peer, m.hashes, m.req));
      case 'blocks':
        if (m.req !== undefined) return this.sync.onBlocks(peer, m.req, m.blocks, m.missing);
        return this.detach(m.t, peer.key, this.onPushedBlocks(peer, m.blocks));
      case 'gettxs':
        return this.send(peer, { t: 'txs', txs: m.ids.map((id) => this.mempool.get(id)).filter((tx): tx is Tx => tx !== undefined) });
      case 'txs':
        return this.detach(m.t, peer.key, this.onTxs(peer, m.txs));
      case 'getpeers':
        return this.send(peer, { t: 'peers', peers: this.shareablePeers() });
      case 'peers':
        return this.onPeerList(m.peers);
    }
  }

  private onHello(peer: PeerState, m: Hello): void {
    if (m.chainId !== this.chain.chainId || m.version !== PROTOCOL_VERSION) {
      const what = m.chainId !== this.chain.chainId ? `chain ${m.chainId.slice(0, 12)}` : `protocol version ${m.version}`;
      this.blame(peer, 'WRONG_CHAIN', 'reject', `its hello is for ${what}`);
      return;
    }
    const wasReady = peer.ready;
    peer.ready = true;
    peer.height = m.height;
    peer.tip = m.tip;
    peer.work = BigInt('0x' + m.work);
    // Answer a hello, and re-introduce ourselves to a peer that does not know us yet.
    if (m.t === 'hello' && this.clock.now() - peer.lastHelloSent > 250) this.sendHello(peer, 'hello-ack');
    if (!wasReady) this.log.info({ peer: peer.key, height: m.height }, 'peer ready');
    this.sync.consider(peer);
  }

  private onInv(peer: PeerState, blocks: string[], txs: string[]): void {
    if (!this.health.writable) return; // nothing fetched could be saved
    const unknownBlocks = blocks.filter((h) => !this.chain.tree.has(h));
    if (unknownBlocks.length) this.send(peer, { t: 'getblocks', hashes: unknownBlocks.slice(0, MAX_BLOCKS_PER_PAGE) });
    const unknownTxs = txs.filter((id) => !this.mempool.has(id));
    if (unknownTxs.length) this.send(peer, { t: 'gettxs', ids: unknownTxs });
  }

  private onGetHeaders(peer: PeerState, locator: string[], limit: number): void {
    const tree = this.chain.tree;
    const from = forkHeight(tree, locator);
    const headers = [];
    for (let h = from + 1; h <= tree.height() && headers.length < limit; h++) headers.push(tree.get(tree.hashAt(h)!)!.header);
    this.send(peer, { t: 'headers', headers });
  }

  private async onGetBlocks(peer: PeerState, hashes: string[], req?: number): Promise<void> {
    const blocks: Block[] = [];
    let bytes = 0;
    let i = 0;
    for (; i < hashes.length && bytes < PAGE_BYTES; i++) {
      const block = this.chain.tree.has(hashes[i]!) ? await this.cs.block(hashes[i]!) : undefined;
      if (!block) continue;
      blocks.push(block);
      bytes += JSON.stringify(block).length;
    }
    const missing = hashes.slice(i);
    this.send(peer, { t: 'blocks', blocks, ...(missing.length ? { missing } : {}), ...(req !== undefined ? { req } : {}) });
  }

  private async onPushedBlocks(peer: PeerState, blocks: unknown[]): Promise<void> {
    for (const raw of blocks) {
      try {
        const outcome = await this.chain.submitBlock(raw);
        this.blockSource.set(outcome.hash, peer.key);
        if (outcome.status === 'orphan') {
          // We miss its ancestors: catch up from the peer that has them.
          peer.height = Math.max(peer.height, outcome.height);
          peer.work = peer.work > this.chain.tip().totalWork ? peer.work : this.chain.tip().totalWork + 1n;
          this.sync.consider(peer);
        }
      } catch (err) {
        if (err instanceof BlockRejection) this.blame(peer, err.code, err.verdict, err.message);
        else if (err instanceof StoreError)
          return; // not the peer's fault; sync fetches it once the store writes
        else throw err;
      }
    }
  }

  private async onTxs(peer: PeerState, txs: unknown[]): Promise<void> {
    // Each is judged in order as `add` is called; their store writes then share one batch.
    await Promise.all(
      txs.map(async (raw) => {
        if (this.mempool.holdsCopyOf(raw)) return; // a relayed copy: the commonest case, kept free of exceptions
        try {
          await this.mempool.add(raw, peer.key);
        } catch (err) {
          if (err instanceof StoreError) return; // not the peer's fault: the store said why, once
          if (err instanceof TxRejection) {
            if (err.verdict === 'ignore' && (err.code === 'TX_KNOWN' || err.code === 'TX_ALREADY_IN_CHAIN')) return;
            this.blame(peer, err.code, err.verdict, err.message);
          } else throw err;
        }
      }),
    );
  }

  private onPeerList(peers: Array<{ host: string; port: number }>): void {
    const fresh = peers.filter((p) => !this.isSelf(p) && !this.book.get(p) && !this.book.isBanned(peerKey(p)));
    if (!fresh.length) return;
    (this.discovery as Discovery & { addPeers?(p: PeerAddress[]): void }).addPeers?.(fresh);
    this.greet(fresh);
  }

  private shareablePeers(): PeerAddress[] {
    return this.book
      .ready()
      .slice(0, MAX_PEERS_SHARED - 1)
      .map((p) => p.address)
      .concat([this.transport.address]);
  }

  private scheduleAnnounce(e: BlockEvent): void {
    if (this.announceScheduled) return;
    this.announceScheduled = true;
    // A burst of connected blocks (a sync page, a reorg) is announced once, by its tip.
    setImmediate(() => {
      this.announceScheduled = false;
      this.detach('announce', undefined, this.announceTip(e));
    });
  }

  private async announceTip(_e: BlockEvent): Promise<void> {
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
      if (peer.ready && now - peer.lastHeard > PEER_SILENT_MS) {
        peer.ready = false;
        this.log.info({ peer: peer.key }, 'peer silent');
      }
      if (now - peer.lastHelloSent > HELLO_EVERY_MS) this.sendHello(peer, 'hello');
      // Long silent and no longer offered by discovery: forget it.
      if (!peer.ready && now - peer.lastHeard > 10 * PEER_SILENT_MS && !this.discovery.peers().some((a) => peerKey(a) === peer.key))
        this.book.remove(peer.key);
    }
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
    if (this.chain.tip().hash !== this.lastAnnounced) this.detach('announce', undefined, this.announceTip({} as BlockEvent));
  }
}
