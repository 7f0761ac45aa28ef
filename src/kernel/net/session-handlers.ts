import type { Logger } from 'pino';
import type { Block } from '../block.js';
import type { ChainEngine } from '../chain/index.js';
import type { Mempool } from '../mempool/index.js';
import type { Clock, PeerAddress } from '../services.js';
import type { StoreHealth } from '../store/index.js';
import type { Tx, TxRules } from '../tx/index.js';
import type { AddressBook } from './address-book.js';
import type { EdgeCounters } from './edge-counters.js';
import { forkHeight } from './locator.js';
import { MAX_BLOCKS_PER_PAGE, MAX_PEERS_SHARED, MAX_SERVING_PER_PEER, type SessionMessage, type SessionType } from './messages.js';
import type { PeerBook, PeerState } from './peer-book.js';
import type { SyncManager } from './sync.js';

/** What a handler may use of the node. */
export interface NetContext {
  readonly chain: ChainEngine;
  readonly mempool: Mempool;
  readonly txRules: Pick<TxRules, 'sizeOf'>;
  readonly health: StoreHealth;
  readonly book: PeerBook;
  readonly addresses: AddressBook;
  readonly sync: SyncManager;
  readonly clock: Clock;
  readonly counters: EdgeCounters;
  readonly log: Logger;
  send(peer: PeerState, message: SessionMessage): void;
  /** Counts the rejection and charges the peer its points from the verdict table. */
  blame(peer: PeerState, code: string, message: string): void;
  /** Any failure of judging a part of a message: a coded rejection, or malformed input. */
  judge(peer: PeerState, err: unknown, what: string): void;
  onClaim(peer: PeerState, claim: { version: number; chainId: string; tip: string; height: number; work: string }): boolean;
  /** Our own listening address, for peer exchange. */
  self(): PeerAddress;
  noteBlockSource(hash: string, peer: PeerState): void;
}

type Handler<T extends SessionType> = (
  ctx: NetContext,
  peer: PeerState,
  message: Extract<SessionMessage, { t: T }>,
) => void | Promise<void>;

/** A page of blocks stops after this many bytes; a sync page is the unit of a sync. */
const PAGE_BYTES = 4 * 1024 * 1024;
/** A header is about this large as JSON: what one costs of the serving budget. */
const HEADER_BYTES = 260;
/** A peer may ask for our peers this often; more often is ignored. */
const GETPEERS_EVERY_MS = 10_000;

const serving = new WeakMap<PeerState, number>();
const askedPeersAt = new WeakMap<PeerState, number>();

/** One handler per session message type: adding a type means its schema, its handler here, and nothing else. */
export const SESSION_HANDLERS: { [T in SessionType]: Handler<T> } = {
  'hello-ack': (ctx, peer, m) => {
    peer.present = Buffer.from(m.session, 'hex');
    ctx.onClaim(peer, m);
  },

  status: (ctx, peer, m) => {
    ctx.onClaim(peer, m);
  },

  inv: (ctx, peer, m) => {
    if (!ctx.health.writable) return; // nothing fetched could be saved
    const unknownBlocks = (m.blocks ?? []).filter((h) => !ctx.chain.reader.has(h));
    if (unknownBlocks.length) ctx.send(peer, { t: 'getblocks', hashes: unknownBlocks.slice(0, MAX_BLOCKS_PER_PAGE) });
    const unknownTxs = (m.txs ?? []).filter((id) => !ctx.mempool.has(id));
    if (unknownTxs.length) ctx.send(peer, { t: 'gettxs', ids: unknownTxs });
  },

  getheaders: (ctx, peer, m) => {
    const tree = ctx.chain.reader;
    const from = forkHeight(tree, m.locator);
    const allowance = ctx.book.serveAllowance(peer);
    const limit = Math.min(m.limit ?? 2000, Math.floor(allowance / HEADER_BYTES));
    if (limit < (m.limit ?? 2000) && tree.height() > from + limit) ctx.counters.serveBudget++;
    const headers = [];
    for (let h = from + 1; h <= tree.height() && headers.length < limit; h++) headers.push(tree.header(tree.hashAt(h)!)!);
    ctx.book.served(peer, headers.length * HEADER_BYTES);
    ctx.send(peer, { t: 'headers', headers });
  },

  headers: (ctx, peer, m) => ctx.sync.onHeaders(peer, m.headers),

  getblocks: async (ctx, peer, m) => {
    const busy = serving.get(peer) ?? 0;
    if (busy >= MAX_SERVING_PER_PEER) {
      ctx.counters.serveBudget++;
      return; // it asks too fast: a sync re-asks, elsewhere if need be
    }
    serving.set(peer, busy + 1);
    try {
      const budget = Math.min(PAGE_BYTES, ctx.book.serveAllowance(peer));
      const blocks: Block[] = [];
      let bytes = 0;
      let i = 0;
      for (; i < m.hashes.length && bytes < budget; i++) {
        const block = ctx.chain.reader.has(m.hashes[i]!) ? await ctx.chain.block(m.hashes[i]!) : undefined;
        if (!block) continue;
        blocks.push(block);
        bytes += JSON.stringify(block).length;
      }
      if (i < m.hashes.length && bytes >= budget && budget < PAGE_BYTES) ctx.counters.serveBudget++;
      ctx.book.served(peer, bytes);
      const missing = m.hashes.slice(i);
      ctx.send(peer, { t: 'blocks', blocks, ...(missing.length ? { missing } : {}), ...(m.req !== undefined ? { req: m.req } : {}) });
    } finally {
      serving.set(peer, (serving.get(peer) ?? 1) - 1);
    }
  },

  blocks: async (ctx, peer, m) => {
    if (m.req !== undefined) return ctx.sync.onBlocks(peer, m.req, m.blocks, m.missing);
    for (const raw of m.blocks) {
      try {
        const outcome = await ctx.chain.submitBlock(raw, peer.key);
        ctx.noteBlockSource(outcome.hash, peer);
        if (outcome.status === 'connected') ctx.log.info(acceptedFields(outcome, raw, peer), 'block accepted from a peer');
        // We miss its ancestors: ask the sender's headers. Its claimed work is not raised by an
        // orphan (anyone can make one), so the headers decide, as for any other sync.
        if (outcome.status === 'orphan') ctx.sync.askAncestors(peer);
      } catch (err) {
        ctx.judge(peer, err, 'blocks');
      }
    }
  },

  gettxs: (ctx, peer, m) => {
    let allowance = ctx.book.serveAllowance(peer);
    const txs: Tx[] = [];
    for (const id of m.ids) {
      const tx = ctx.mempool.get(id);
      if (!tx) continue;
      const size = ctx.txRules.sizeOf(tx);
      if (size > allowance) {
        ctx.counters.serveBudget++;
        break;
      }
      allowance -= size;
      ctx.book.served(peer, size);
      txs.push(tx);
    }
    ctx.send(peer, { t: 'txs', txs });
  },

  txs: async (ctx, peer, m) => {
    // Each is judged in order as `add` is called; their store writes then share one batch.
    await Promise.all(
      m.txs.map(async (raw) => {
        if (ctx.mempool.holdsCopyOf(raw)) return; // a relayed copy: the commonest case, kept free of exceptions
        try {
          await ctx.mempool.add(raw, peer.key);
        } catch (err) {
          ctx.judge(peer, err, 'txs');
        }
      }),
    );
  },

  getpeers: (ctx, peer) => {
    const now = ctx.clock.now();
    if (now - (askedPeersAt.get(peer) ?? -Infinity) < GETPEERS_EVERY_MS) return;
    askedPeersAt.set(peer, now);
    ctx.send(peer, { t: 'peers', peers: [...ctx.addresses.shareable(MAX_PEERS_SHARED - 1), ctx.self()] });
  },

  peers: (ctx, peer, m) => {
    ctx.addresses.addExchanged(m.peers, peer.address);
  },
};

/** What the log says of a peer's block that moved our tip (it passed every check, so it is a Block). */
function acceptedFields(outcome: { hash: string; height: number; reorg?: { depth: number } }, raw: unknown, peer: PeerState) {
  return {
    peer: peer.key,
    height: outcome.height,
    hash: outcome.hash.slice(0, 12),
    txs: (raw as Block).txs.length,
    ...(outcome.reorg ? { reorgDepth: outcome.reorg.depth } : {}),
  };
}
