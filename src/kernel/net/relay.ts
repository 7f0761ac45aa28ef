import type { Logger } from 'pino';
import type { Block } from '../block.js';
import type { ChainEngine } from '../chain/index.js';
import type { Tx } from '../tx/index.js';
import { MAX_INV, type SessionMessage } from './messages.js';
import type { PeerBook, PeerState } from './peer-book.js';

/** Blocks up to this size are pushed whole to peers (one hop saved); larger ones are announced. */
const PUSH_BLOCK_BYTES = 48 * 1024;
const TX_FLUSH_MS = 20;
const MAX_BLOCK_SOURCES = 1024;

export interface RelayLink {
  running(): boolean;
  sendRaw(peer: PeerState, body: Uint8Array): void;
  send(peer: PeerState, message: SessionMessage): void;
}

/**
 * What we pass on: our new tip, once per burst of connected blocks (pushed whole when small,
 * announced when large, never back to the peer it came from), and transactions in batches.
 */
export class Relay {
  private txOutbox: Array<{ tx: Tx; from?: string }> = [];
  private txFlush?: NodeJS.Timeout;
  private announceScheduled = false;
  private lastAnnounced = '';
  private readonly blockSource = new Map<string, string>();

  constructor(
    private readonly link: RelayLink,
    private readonly book: PeerBook,
    private readonly chain: ChainEngine,
    private readonly log: Logger,
  ) {}

  /** The tip moved since we last told anyone. */
  get behind(): boolean {
    return this.chain.tip().hash !== this.lastAnnounced;
  }

  noteBlockSource(hash: string, peer: PeerState): void {
    if (this.blockSource.size >= MAX_BLOCK_SOURCES) this.blockSource.delete(this.blockSource.keys().next().value!);
    this.blockSource.set(hash, peer.key);
  }

  scheduleAnnounce(): void {
    if (this.announceScheduled) return;
    this.announceScheduled = true;
    // A burst of connected blocks (a sync page, a reorg) is announced once, by its tip.
    setImmediate(() => {
      this.announceScheduled = false;
      this.announceTip().catch((err: unknown) => this.log.warn({ err: (err as Error)?.message }, 'announcing the tip failed'));
    });
  }

  queueTx(tx: Tx, from?: string): void {
    this.txOutbox.push({ tx, from });
    this.txFlush ??= setTimeout(() => this.flushTxs(), TX_FLUSH_MS);
  }

  stop(): void {
    clearTimeout(this.txFlush);
    this.txFlush = undefined;
  }

  private async announceTip(): Promise<void> {
    const tip = this.chain.tip();
    // Every peer of this chain has its genesis, and the genesis carries no proof of work: pushed,
    // it fails the seal check and gets this node banned by a fresh peer. A sync in progress does
    // not hold announcements back: a peer that claims more work and never answers would keep
    // this node "syncing", and its own blocks unannounced, until it was banned.
    if (!this.link.running() || tip.hash === this.lastAnnounced || tip.height === 0) return;
    this.lastAnnounced = tip.hash;
    let block: Block | undefined;
    try {
      block = await this.chain.block(tip.hash);
    } catch (err) {
      // Scheduled just before the node stopped: its store is closed, and there is no one to tell.
      if (this.link.running()) this.log.warn({ err: (err as Error).message }, 'cannot read the tip to announce it');
      return;
    }
    if (!block || !this.link.running()) return;
    const source = this.blockSource.get(tip.hash);
    this.blockSource.clear();
    if (JSON.stringify(block).length <= PUSH_BLOCK_BYTES) this.broadcast({ t: 'blocks', blocks: [block] }, source);
    else this.broadcast({ t: 'inv', blocks: [tip.hash] }, source);
  }

  private broadcast(message: SessionMessage, except?: string): void {
    const peers = this.book.ready();
    if (!peers.length) return;
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    for (const peer of peers) if (peer.key !== except) this.link.sendRaw(peer, body);
  }

  /** Transactions are small: they are pushed in batches rather than announced. */
  private flushTxs(): void {
    this.txFlush = undefined;
    const outbox = this.txOutbox;
    this.txOutbox = [];
    for (const peer of this.book.ready()) {
      const txs = outbox.filter((o) => o.from !== peer.key).map((o) => o.tx);
      for (let i = 0; i < txs.length; i += MAX_INV) this.link.send(peer, { t: 'txs', txs: txs.slice(i, i + MAX_INV) });
    }
  }
}
