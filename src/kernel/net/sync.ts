import type { Logger } from 'pino';
import type { ChainEngine } from '../chain/index.js';
import { BlockRejection, StoreError } from '../errors.js';
import type { NodeEvents } from '../events.js';
import type { Clock } from '../services.js';
import type { StoreHealth } from '../store/index.js';
import { checkHeaderRun, hashIfHeader, type CheckedHeader, type KnownHeader } from './header-chain.js';
import { blockLocator } from './locator.js';
import { MAX_HEADERS, MAX_SERVING_PER_PEER, type SessionMessage } from './messages.js';
import type { PeerState } from './peer-book.js';

export interface SyncLink {
  send(peer: PeerState, message: SessionMessage): void;
  blame(peer: PeerState, code: string, message: string): void;
  readyPeers(): PeerState[];
}

interface Page {
  req: number;
  hashes: string[];
  lastHeight: number;
  peer?: PeerState;
  sentAt: number;
  blocks?: unknown[];
  tries: number;
}

export const PAGE_SIZE = 250;
const MAX_PAGES_IN_FLIGHT = 4;
export const STALL_MS = 4000;
const ANCESTORS_EVERY_MS = 2000;
/** How long a staller's claims are first doubted, and the most they ever are. */
export const DOUBT_MS = 10_000;
export const MAX_DOUBT_MS = 5 * 60_000;

/**
 * Headers-first catch-up: headers from one peer (checked for linkage, targets and seals
 * before any body is asked for), then bodies in pages from every peer that has them, applied
 * in order. A page that does not come back in time is asked of another peer and its first
 * peer loses score. While the store takes no writes (a full disk) no body is asked for and
 * pages in hand wait; a page whose write failed goes back to the front of the queue.
 */
export class SyncManager {
  private headerPeer?: PeerState;
  private headerAskedAt = 0;
  private lastHeader?: CheckedHeader;
  private moreHeaders = false;
  private readonly queue: CheckedHeader[] = [];
  private pages: Page[] = [];
  private nextReq = 1;
  private draining = false;
  private readonly ancestorsAskedAt = new WeakMap<PeerState, number>();
  /** A catch-up the log said had started, until it says it caught up (or was abandoned). */
  private catchUp?: { from: number; at: number };
  target = 0;

  constructor(
    private readonly link: SyncLink,
    private readonly chain: ChainEngine,
    private readonly clock: Clock,
    private readonly events: NodeEvents,
    private readonly log: Logger,
    private readonly health: Pick<StoreHealth, 'writable'>,
  ) {}

  get active(): boolean {
    return this.headerPeer !== undefined || this.pages.length > 0 || this.queue.length > 0;
  }

  /**
   * Whether `peer` claims a tip that fork choice would take over ours: more work, or equal work
   * and a lower hash we do not hold (see `outweighs`; without this, equal branches that never
   * reached each other, as across a healed partition, would never be fetched).
   */
  prefers(peer: PeerState): boolean {
    if (peer.doubtedUntil > this.clock.now()) return false;
    const tip = this.chain.tip();
    return peer.work > tip.totalWork || (peer.work === tip.totalWork && peer.tip < tip.hash && !this.chain.reader.has(peer.tip));
  }

  /** Starts a catch-up from `peer` when fork choice would take its tip over ours. */
  consider(peer: PeerState): void {
    if (this.active || !this.prefers(peer)) return;
    if (!this.catchUp) {
      const height = this.chain.tip().height;
      this.catchUp = { from: height, at: this.clock.now() };
      this.log.info({ peer: peer.key, height, target: peer.height }, 'sync started');
    }
    this.askHeaders(peer, blockLocator(this.chain.reader));
  }

  /** Nothing left to fetch: the log says where the catch-up ended. */
  private noteCaughtUp(): void {
    if (!this.catchUp || this.active) return;
    const height = this.chain.tip().height;
    this.log.info(
      { from: this.catchUp.from, height, blocks: height - this.catchUp.from, ms: this.clock.now() - this.catchUp.at },
      'sync caught up',
    );
    this.catchUp = undefined;
  }

  /**
   * A peer sent a block whose parent we lack: ask its headers from our locator, whatever work
   * it claims (an orphan proves nothing, so it raises no claim); at most once per
   * `ANCESTORS_EVERY_MS` per peer, so orphans cannot make us ask without end.
   */
  askAncestors(peer: PeerState): void {
    const now = this.clock.now();
    if (this.active || now - (this.ancestorsAskedAt.get(peer) ?? -Infinity) < ANCESTORS_EVERY_MS) return;
    this.ancestorsAskedAt.set(peer, now);
    this.askHeaders(peer, blockLocator(this.chain.reader));
  }

  private askHeaders(peer: PeerState, locator: string[]): void {
    this.headerPeer = peer;
    this.headerAskedAt = this.clock.now();
    this.target = Math.max(this.target, peer.height);
    this.link.send(peer, { t: 'getheaders', locator, limit: MAX_HEADERS });
  }

  onHeaders(peer: PeerState, raw: unknown[]): void {
    if (peer !== this.headerPeer) return; // unsolicited or late: ignore
    this.headerPeer = undefined;
    const tree = this.chain.reader;
    // Headers we already hold as blocks are skipped; the rest must link to our tree or to the
    // headers of this sync that are still waiting for their bodies.
    let start = 0;
    while (start < raw.length && tree.has(hashIfHeader(raw[start]) ?? '')) start++;
    const run = checkHeaderRun(raw.slice(start), (hash) => this.knownHeader(hash), this.chain.consensus);
    if (!run) {
      this.link.blame(peer, 'HEADERS_INVALID', 'headers do not link, miss their target or lack their work');
      this.reset();
      return;
    }
    this.moreHeaders = raw.length >= MAX_HEADERS;
    if (run.length) {
      this.queue.push(...run);
      this.lastHeader = run[run.length - 1];
    }
    if (this.moreHeaders && start === raw.length && raw.length) {
      // Everything was known: continue from the last header of this response.
      this.askHeaders(peer, [hashIfHeader(raw[raw.length - 1]) ?? '', (raw[raw.length - 1] as { prev: string }).prev]);
      return;
    }
    this.fill();
    this.maybeContinueHeaders(peer);
    this.noteCaughtUp();
  }

  private knownHeader(hash: string): KnownHeader | undefined {
    const entry = this.chain.reader.entry(hash);
    if (entry) return { header: entry.header, anchor: entry.anchor?.header };
    return this.lastHeader?.hash === hash ? this.lastHeader : undefined;
  }

  onBlocks(peer: PeerState, req: number, blocks: unknown[], missing: string[] | undefined): void {
    const page = this.pages.find((p) => p.req === req);
    if (!page || page.peer !== peer || page.blocks) return;
    if (missing?.length) {
      // The peer sent what fits in one message; the rest becomes a new page in the same place.
      const rest: Page = { req: this.nextReq++, hashes: missing, lastHeight: page.lastHeight, sentAt: 0, tries: 0 };
      this.pages.splice(this.pages.indexOf(page) + 1, 0, rest);
    }
    page.blocks = blocks;
    this.drain().catch((err: unknown) => {
      // Our side failed (the store, most likely), not the peer: the sync starts over later.
      this.log.warn({ err: (err as Error)?.message ?? String(err) }, 'applying synced blocks failed');
      this.reset();
    });
  }

  /** The store takes writes again: apply the pages in hand and ask for the next. */
  resume(): void {
    void this.drain();
    this.fill();
  }

  /** Assigns unsent pages to peers, round-robin over those claiming enough height. */
  private fill(): void {
    while (this.queue.length && this.pages.length < MAX_PAGES_IN_FLIGHT * 4) {
      const batch = this.queue.splice(0, PAGE_SIZE);
      this.pages.push({
        req: this.nextReq++,
        hashes: batch.map((h) => h.hash),
        lastHeight: batch[batch.length - 1]!.header.height,
        sentAt: 0,
        tries: 0,
      });
    }
    if (!this.health.writable) return;
    const inFlight = this.pages.filter((p) => p.peer && !p.blocks).length;
    let budget = MAX_PAGES_IN_FLIGHT - inFlight;
    for (const page of this.pages) {
      if (budget <= 0) break;
      if (page.peer || page.blocks) continue;
      const peer = this.pickPeer(page);
      if (!peer) break;
      this.sendPage(page, peer);
      budget--;
    }
  }

  private rr = 0;
  /**
   * A peer that has the page and fewer pages of ours in flight than it serves at once (it drops
   * the rest unanswered, and we would charge an honest peer a stall for our own impatience).
   */
  private pickPeer(page: Page, not?: PeerState): PeerState | undefined {
    const busy = new Map<PeerState, number>();
    for (const p of this.pages) if (p.peer && !p.blocks) busy.set(p.peer, (busy.get(p.peer) ?? 0) + 1);
    const free = (p: PeerState) => (busy.get(p) ?? 0) < MAX_SERVING_PER_PEER;
    const now = this.clock.now();
    const able = this.link.readyPeers().filter((p) => p.height >= page.lastHeight && p !== not && free(p));
    // Peers that stalled our headers are asked only when nobody else has the page.
    const trusted = able.filter((p) => p.doubtedUntil <= now);
    const pool = trusted.length ? trusted : able;
    if (!pool.length) return not && not.ready && free(not) ? not : undefined;
    return pool[this.rr++ % pool.length];
  }

  private sendPage(page: Page, peer: PeerState): void {
    page.peer = peer;
    page.sentAt = this.clock.now();
    page.tries++;
    this.link.send(peer, { t: 'getblocks', hashes: page.hashes, req: page.req });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.pages.length && this.pages[0]!.blocks && this.health.writable) {
        const page = this.pages.shift()!;
        let results;
        try {
          results = await this.chain.submitBlocks(page.blocks!, page.peer?.key);
        } catch (err) {
          // Nothing of the page was kept; it is applied again once the store writes.
          if (!(err instanceof StoreError)) throw err;
          this.pages.unshift(page);
          this.log.debug({ err: err.message }, 'sync waits for the store');
          return;
        }
        const failure = results.find((r) => r.error && !(r.error instanceof BlockRejection && r.error.verdict === 'ignore'));
        if (failure) {
          this.link.blame(page.peer!, failure.error!.code, failure.error!.message);
          this.reset();
          return;
        }
        this.events.emit('sync', { height: this.chain.tip().height, target: this.target });
        this.fill();
      }
      if (this.headerPeer) return;
      this.maybeContinueHeaders();
      this.noteCaughtUp();
    } finally {
      this.draining = false;
    }
  }

  private maybeContinueHeaders(peer?: PeerState): void {
    if (!this.moreHeaders || this.headerPeer || this.queue.length > PAGE_SIZE * MAX_PAGES_IN_FLIGHT || !this.lastHeader) return;
    const source = peer?.ready ? peer : this.link.readyPeers().find((p) => p.height > this.lastHeader!.header.height);
    if (!source) return;
    this.moreHeaders = false;
    this.askHeaders(source, [this.lastHeader.hash]);
  }

  /** Called periodically: re-ask stalled pages and headers of another peer. */
  tick(): void {
    const now = this.clock.now();
    if (this.headerPeer && (!this.headerPeer.ready || now - this.headerAskedAt > STALL_MS)) {
      const staller = this.headerPeer;
      this.headerPeer = undefined;
      if (staller.ready) this.link.blame(staller, 'STALL', 'did not answer a headers request');
      this.doubt(staller, now);
      const other = this.link.readyPeers().find((p) => p !== staller && this.prefers(p));
      if (other)
        this.askHeaders(
          other,
          this.lastHeader ? [this.lastHeader.hash, ...blockLocator(this.chain.reader)] : blockLocator(this.chain.reader),
        );
    }
    for (const page of this.pages) {
      if (page.peer && !page.blocks && (!page.peer.ready || now - page.sentAt > STALL_MS)) {
        const staller = page.peer;
        if (staller.ready) this.link.blame(staller, 'STALL', 'did not answer a blocks request');
        const other = this.health.writable ? this.pickPeer(page, staller) : undefined;
        if (other && page.tries < 10) this.sendPage(page, other);
        else page.peer = undefined;
      }
    }
    if (this.pages.length && !this.pages.some((p) => p.peer || p.blocks) && !this.link.readyPeers().length) this.reset();
    this.fill();
  }

  /** Its claims are not believed for a while (`prefers` asks `doubtedUntil`, whatever its next status says). */
  private doubt(peer: PeerState, now: number): void {
    peer.stalls++;
    peer.doubtedUntil = now + Math.min(MAX_DOUBT_MS, DOUBT_MS * 2 ** (peer.stalls - 1));
  }

  reset(): void {
    if (this.catchUp) this.log.info({ height: this.chain.tip().height }, 'sync abandoned; it starts again when a peer claims more work');
    this.catchUp = undefined;
    this.headerPeer = undefined;
    this.queue.length = 0;
    this.pages = [];
    this.moreHeaders = false;
    this.lastHeader = undefined;
  }
}
