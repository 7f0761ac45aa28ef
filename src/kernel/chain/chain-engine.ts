import type { Logger } from 'pino';
import { inject, injectable } from 'tsyringe';
import type { ChainApp, StateView } from '../app.js';
import { headerHash, merkleRoot, BLOCK_VERSION, type Block, type BlockHeader } from '../block.js';
import { BlockRules } from './block-rules.js';
import { BlockTree, outweighs, type TreeEntry } from './block-tree.js';
import { ChainStore, del, key, put, putRaw, STORE_FORMAT, type EntryStatus, type StoredEntry } from '../store/index.js';
import type { NodeConfig } from '../config.js';
import { BlockRejection, CairnError, damagedStore, StoreError, TxRejection } from '../errors.js';
import type { BlockEvent, NodeEvents, ReorgEvent } from '../events.js';
import { OrphanPool } from './orphan-pool.js';
import { genesisBlock, chainIdOf, type ChainParams } from '../params.js';
import { assertWired } from '../plugin.js';
import type { Clock, Consensus, Service, Store, StoreOp } from '../services.js';
import { BaseState, readOnlyView, StateOverlay } from '../state.js';
import type { StoreHealth } from '../store/index.js';
import { APPS, CHAIN_PARAMS, CLOCK, CONFIG, CONSENSUS, EVENTS, LOGGER, STORE, STORE_HEALTH } from '../tokens.js';
import { TxRules, type AppEvent } from '../tx/index.js';
import type { Tx } from '../tx/index.js';
import { verifyStoredChain, type VerifyResult } from './verify.js';

export interface TipInfo {
  hash: string;
  height: number;
  header: BlockHeader;
  totalWork: bigint;
}

export type BlockOutcome =
  | { status: 'connected'; hash: string; height: number; reorg?: ReorgEvent }
  | { status: 'side'; hash: string; height: number }
  | { status: 'orphan'; hash: string; height: number };

/** Orphans are accounted per source (a peer's key); blocks from inside the process share this one. */
const LOCAL_SOURCE = 'local';

/** What a run of blocks has written so far, so that a failed write can be taken back from memory. */
interface WriteJournal {
  /** The bodies and entries of the run are in the store. */
  stored: boolean;
  /** Statuses changed in memory by a verdict whose batch is not written yet. */
  marked: Array<[TreeEntry, EntryStatus]>;
}

interface StoredMeta {
  format: number;
  chainId: string;
}

/**
 * The chain engine: validates blocks through the pipeline, keeps the block tree, chooses the
 * branch with the most work, and moves app state between branches with undo data so that the
 * state at any tip equals a replay of its branch from genesis. All changes of one tip move
 * (blocks, state, undo, index, mempool records) are one atomic store batch.
 */
@injectable()
export class ChainEngine implements Service {
  readonly chainId: string;
  readonly txRules: TxRules;
  readonly rules: BlockRules;
  readonly tree = new BlockTree();
  readonly orphans = new OrphanPool();
  private readonly state = new BaseState();
  /** Transaction ids of admitted blocks, so connecting one does not encode its transactions again. */
  private readonly txIdsOf = new WeakMap<Block, string[]>();
  private readonly cs: ChainStore;
  private genesisEntry!: TreeEntry;
  private queue: Promise<unknown> = Promise.resolve();
  private started = false;
  /**
   * A run stored its blocks but its tip move failed (the disk filled in between): the best
   * candidate is activated on the next run even if that run brings nothing new.
   */
  private activationDue = false;

  constructor(
    @inject(STORE) store: Store,
    @inject(STORE_HEALTH) private readonly health: StoreHealth,
    @inject(CONSENSUS) readonly consensus: Consensus,
    @inject(APPS) readonly apps: ChainApp[],
    @inject(CHAIN_PARAMS) readonly params: ChainParams,
    @inject(CONFIG) config: NodeConfig,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(LOGGER) private readonly log: Logger,
    @inject(EVENTS) private readonly events: NodeEvents,
  ) {
    assertWired('ChainEngine', { store, health, consensus, apps, params, config, clock, log, events });
    this.cs = new ChainStore(store);
    this.chainId = chainIdOf(params);
    this.txRules = new TxRules(apps, this.chainId);
    this.rules = new BlockRules(consensus, this.txRules, config.maxBlockTxs);
  }

  async start(): Promise<void> {
    if (this.started) return;
    const meta = await this.cs.json<StoredMeta>(key.meta);
    if (!meta) await this.initialise();
    else {
      if (meta.format !== STORE_FORMAT) {
        throw new StoreError(
          'STORE_FORMAT',
          `the store at ${this.cs.store.location} has format ${meta.format}; this cairn reads format ${STORE_FORMAT}`,
        );
      }
      if (meta.chainId !== this.chainId) {
        throw new StoreError(
          'STORE_FOREIGN',
          `the data dir holds chain ${meta.chainId.slice(0, 12)}, but these settings give chain ${this.chainId.slice(0, 12)}: use the same chain settings or another --data-dir`,
        );
      }
      await this.load();
    }
    this.started = true;
    this.events.on('store', this.onStore);
    const tip = this.tip();
    this.log.info({ chainId: this.chainId, height: tip.height, tip: tip.hash }, 'chain loaded');
  }

  stop(): void {
    this.started = false;
    this.events.off('store', this.onStore);
  }

  /** Once the store writes again, a tip move that failed with it is made without waiting for a new block. */
  private readonly onStore = (status: { writable: boolean }) => {
    if (status.writable && this.activationDue && this.started)
      this.submitBlocks([]).catch((err: unknown) => this.log.debug({ err: (err as Error).message }, 'deferred tip move failed'));
  };

  private async initialise(): Promise<void> {
    for await (const [k] of this.cs.store.iterate('')) {
      throw new StoreError(
        'STORE_FOREIGN',
        `the store at ${this.cs.store.location} holds data that is not a cairn chain ('${k.slice(0, 40)}'); it will not be overwritten`,
      );
    }
    const genesis = genesisBlock(this.params);
    const hash = headerHash(genesis.header);
    const work = this.consensus.work(genesis.header.target);
    const ops: StoreOp[] = [
      put(key.meta, { format: STORE_FORMAT, chainId: this.chainId }),
      put(key.block(hash), genesis),
      put(key.entry(hash), { header: genesis.header, work: work.toString(16), status: 'valid' } satisfies StoredEntry),
      put(key.height(0), hash),
      put(key.tip, hash),
    ];
    for (const app of this.apps) {
      for (const [k, v] of Object.entries(app.genesis?.(this.params.appParams[app.id]) ?? {})) {
        const text = JSON.stringify(v);
        ops.push(putRaw(key.state(app.id, k), text));
        this.state.setRaw(app.id, k, text);
      }
    }
    await this.health.write(ops);
    this.genesisEntry = this.tree.add(hash, genesis.header, work, 'valid');
    this.tree.setBestChain([hash]);
  }

  private async load(): Promise<void> {
    const entries: Array<[string, StoredEntry]> = [];
    for await (const entry of this.cs.scan<StoredEntry>('H:')) entries.push(entry);
    entries.sort((a, b) => a[1].header.height - b[1].header.height);
    for (const [hash, e] of entries) {
      if (e.header.height > 0 && !this.tree.has(e.header.prev)) continue; // unreachable leftovers
      this.tree.add(hash, e.header, BigInt('0x' + e.work), e.status);
    }
    const best: string[] = [];
    for await (const [height, hash] of this.cs.scan<string>('h:')) {
      if (Number(height) !== best.length || !this.tree.has(hash)) {
        throw damagedStore(this.cs.store.location, `a broken best-chain index at height ${Number(height)}`);
      }
      best.push(hash);
    }
    const tip = await this.cs.json<string>(key.tip);
    if (best.length === 0 || best[0] !== this.chainId || tip !== best[best.length - 1]) {
      throw damagedStore(this.cs.store.location, 'no consistent tip');
    }
    this.genesisEntry = this.tree.get(best[0]!)!;
    this.tree.setBestChain(best);
    for await (const [app, k, raw] of this.cs.states()) this.state.setRaw(app, k, raw);
  }

  tip(): TipInfo {
    const e = this.tree.tip();
    return { hash: e.hash, height: e.header.height, header: e.header, totalWork: e.totalWork };
  }

  genesis(): TreeEntry {
    return this.genesisEntry;
  }

  /** Read-only view of an app's state at the tip. */
  view(app: string): StateView {
    return readOnlyView(this.state, app);
  }

  /** The state at the tip, for layers (the mempool) that stack their own changes on it. */
  stateLayer(): BaseState {
    return this.state;
  }

  query(appId: string, name: string, args: Record<string, unknown> = {}): unknown {
    const app = this.txRules.app(appId);
    if (!app) throw new CairnError('APP_UNKNOWN', `this chain runs no app named '${appId}'`);
    const q = app.queries[name];
    if (!q)
      throw new CairnError(
        'QUERY_UNKNOWN',
        `app '${appId}' has no query '${name}' (has: ${Object.keys(app.queries).join(', ') || 'none'})`,
      );
    return q(this.view(appId), args);
  }

  async blockAt(height: number): Promise<Block | undefined> {
    const hash = this.tree.hashAt(height);
    return hash ? this.cs.block(hash) : undefined;
  }

  block(hash: string): Promise<Block | undefined> {
    return this.cs.block(hash);
  }

  /** A header for the next block on the tip, committing to `txs` (already valid on the tip). */
  template(txs: readonly Tx[], now: number): BlockHeader {
    const tip = this.tree.tip();
    return {
      version: BLOCK_VERSION,
      height: tip.header.height + 1,
      prev: tip.hash,
      txRoot: merkleRoot(txs.map((tx) => this.txRules.idOf(tx))),
      time: Math.max(now, this.tree.medianTimePast(tip) + 1),
      target: this.consensus.nextTarget(tip.header, tip.anchor?.header),
      nonce: 0,
    };
  }

  /** Runs the whole pipeline on a block from anywhere (a peer, our miner, a test). */
  async submitBlock(raw: unknown, source = LOCAL_SOURCE): Promise<BlockOutcome> {
    const [result] = await this.submitBlocks([raw], source);
    if (result!.error) throw result!.error;
    return result!.outcome!;
  }

  /**
   * The pipeline for a run of blocks (a sync page): each is judged as if submitted alone,
   * but the tip moves once, in one overlay and one store batch, which is what makes a sync
   * fast. Processing stops at the first rejected block; its error is in its result.
   */
  submitBlocks(raws: readonly unknown[], source = LOCAL_SOURCE): Promise<Array<{ outcome?: BlockOutcome; error?: CairnError }>> {
    return this.exclusive(() => this.process(raws, source));
  }

  verify(): Promise<VerifyResult> {
    return this.exclusive(() => verifyStoredChain(this, this.cs, this.state, this.clock));
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * A block whose parent we lack is kept only once everything that needs no parent holds:
   * its target within the chain's limit (so it cost real work at the easiest difficulty the
   * chain ever asks), its ids, root and signatures (so a mutant body under a real header is
   * refused now, and cannot displace the real block later).
   */
  private keepOrphan(block: Block, hash: string, source: string): void {
    if (this.consensus.work(block.header.target) < this.consensus.work(this.consensus.maxTarget))
      throw new BlockRejection(
        'BLOCK_BAD_TARGET',
        `block claims target ${block.header.target.slice(0, 16)}…, easier than this chain allows`,
      );
    const txIds = this.rules.transactions(block);
    this.orphans.add(hash, block, txIds, source, JSON.stringify(block).length);
  }

  private async process(raws: readonly unknown[], source: string): Promise<Array<{ outcome?: BlockOutcome; error?: CairnError }>> {
    // Nothing is judged that could not be saved: the sender is asked again once the store writes.
    this.health.assertWritable();
    const results: Array<{ outcome?: BlockOutcome; error?: CairnError }> = [];
    const pending = new Map<string, Block>();
    const ops: StoreOp[] = [];
    const added: TreeEntry[] = [];
    /** Orphans taken from the pool and admitted: back to the pool if their batch is never written. */
    const adopted: Array<[string, Block, string[]]> = [];
    const admitOne = (block: Block, hash: string, parent: TreeEntry, txIds?: string[]): TreeEntry => {
      this.rules.link(block, parent);
      this.rules.timestamp(block, this.tree.medianTimePast(parent), this.clock.now());
      this.txIdsOf.set(block, txIds ?? this.rules.transactions(block));
      const work = this.consensus.work(block.header.target);
      ops.push(
        put(key.block(hash), block),
        put(key.entry(hash), { header: block.header, work: work.toString(16), status: 'unchecked' } satisfies StoredEntry),
      );
      pending.set(hash, block);
      const entry = this.tree.add(hash, block.header, work, 'unchecked');
      added.push(entry);
      return entry;
    };
    // Orphans waiting for a new block can now be judged, then theirs, and so on (a loop, not
    // recursion: an orphan chain may be long). Their failures are theirs, not the new block's.
    const admit = (block: Block, hash: string, parent: TreeEntry): TreeEntry => {
      const entry = admitOne(block, hash, parent);
      const waiting: TreeEntry[] = [entry];
      while (waiting.length) {
        const parentEntry = waiting.pop()!;
        for (const [childHash, child, childIds] of this.orphans.takeChildren(parentEntry.hash)) {
          try {
            waiting.push(admitOne(child, childHash, parentEntry, childIds));
            adopted.push([childHash, child, childIds]);
          } catch (err) {
            this.log.debug({ hash: childHash, err: (err as Error)?.message }, 'orphan rejected');
          }
        }
      }
      return entry;
    };

    for (const raw of raws) {
      try {
        const block = this.rules.structure(raw);
        const hash = this.rules.seal(block);
        if (this.tree.has(hash)) throw new BlockRejection('BLOCK_KNOWN', 'block is already known');
        const parent = this.tree.get(block.header.prev);
        if (!parent) {
          this.keepOrphan(block, hash, source);
          results.push({ outcome: { status: 'orphan', hash, height: block.header.height } });
          continue;
        }
        const entry = admit(block, hash, parent);
        results.push({ outcome: { status: 'side', hash, height: entry.header.height } });
      } catch (err) {
        const error = err instanceof CairnError ? err : this.malformed(err);
        results.push({ error });
        if (!(error instanceof BlockRejection && error.verdict === 'ignore')) break;
      }
    }
    if (!added.length && !this.activationDue) return results;

    const journal: WriteJournal = { stored: false, marked: [] };
    const due = this.activationDue;
    this.activationDue = false;
    try {
      let best = added.length ? added.reduce((a, b) => (outweighs(b, a) ? b : a)) : this.tree.tip();
      if (due) {
        const candidate = this.tree.bestCandidate();
        if (outweighs(candidate, best)) best = candidate;
      }
      if (!outweighs(best, this.tree.tip())) {
        await this.health.write(ops);
        return results;
      }
      const { event, error } = await this.activateBest(best, pending, ops, journal);
      for (const result of results) {
        const outcome = result.outcome;
        if (!outcome || outcome.status === 'orphan') continue;
        const entry = this.tree.get(outcome.hash)!;
        if (entry.status === 'invalid') {
          result.outcome = undefined;
          result.error = error ?? new BlockRejection('BLOCK_INVALID_ANCESTOR', 'block builds on an invalid block');
        } else if (this.tree.isOnBestChain(entry))
          result.outcome = { status: 'connected', hash: outcome.hash, height: outcome.height, reorg: event };
      }
      return results;
    } catch (err) {
      this.takeBack(journal, added, adopted);
      // Blocks stored without their tip move: the next run activates the best of them.
      this.activationDue = due || journal.stored;
      this.health.report(err);
      throw err;
    }
  }

  /**
   * A batch failed (a full disk): memory goes back to what the store holds. Verdicts not
   * written are undone; blocks whose bodies were never written are forgotten (their sender
   * or sync offers them again), and orphans among them return to the pool.
   */
  private takeBack(journal: WriteJournal, added: TreeEntry[], adopted: Array<[string, Block, string[]]>): void {
    for (const [entry, status] of journal.marked) entry.status = status;
    if (journal.stored) return;
    for (let i = added.length - 1; i >= 0; i--) this.tree.remove(added[i]!.hash);
    for (const [hash, block, txIds] of adopted) this.orphans.add(hash, block, txIds, LOCAL_SOURCE, JSON.stringify(block).length);
  }

  /**
   * Judging untrusted input threw something uncoded (a bug in a check, a value no check
   * foresaw): the block is at fault, never the node, so it becomes a coded rejection.
   */
  private malformed(err: unknown): BlockRejection {
    const reason = err instanceof Error ? err.message : String(err);
    this.log.warn({ err: reason }, 'judging a block threw; rejected as malformed');
    return new BlockRejection('BLOCK_MALFORMED', `the block could not be judged: ${reason.slice(0, 200)}`);
  }

  /**
   * Moves the tip to `target`, or, if a block on the way is invalid, marks it and its
   * descendants and moves to the best remaining candidate instead. `ops` (bodies and entries
   * of blocks not stored yet) go into the same batch as the tip move.
   */
  private async activateBest(
    target: TreeEntry,
    pending: Map<string, Block>,
    ops: StoreOp[],
    journal: WriteJournal,
  ): Promise<{ event?: ReorgEvent; error?: BlockRejection }> {
    let candidate: TreeEntry | undefined = target;
    let firstError: BlockRejection | undefined;
    let event: ReorgEvent | undefined;
    let unstored = ops;
    while (candidate && outweighs(candidate, this.tree.tip())) {
      const result = await this.activate(candidate, pending, unstored);
      if (result.ok) {
        event = result.event;
        unstored = [];
        journal.stored = true;
        break;
      }
      firstError ??= result.error;
      const before = this.statusesFrom(result.failed);
      const marked = this.tree.markInvalid(result.failed);
      journal.marked = before;
      // The bodies are kept (other candidates may need them); the verdicts are recorded with them.
      await this.health.write([
        ...unstored,
        ...marked.map((h) => {
          const e = this.tree.get(h)!;
          return put(key.entry(h), {
            header: e.header,
            work: this.consensus.work(e.header.target).toString(16),
            status: 'invalid',
          } satisfies StoredEntry);
        }),
      ]);
      unstored = [];
      journal.stored = true;
      journal.marked = [];
      this.log.warn({ hash: result.failed.hash, height: result.failed.header.height, code: result.error.code }, result.error.message);
      const next = this.tree.bestCandidate();
      candidate = next === this.tree.tip() ? undefined : next;
    }
    if (unstored.length) await this.health.write(unstored);
    journal.stored = true;
    return { event, error: firstError };
  }

  /** The statuses `markInvalid(entry)` is about to change, so that they can be restored. */
  private statusesFrom(entry: TreeEntry): Array<[TreeEntry, EntryStatus]> {
    const out: Array<[TreeEntry, EntryStatus]> = [];
    const stack = [entry];
    const seen = new Set<string>();
    while (stack.length) {
      const e = stack.pop()!;
      if (seen.has(e.hash) || e.status === 'invalid') continue;
      seen.add(e.hash);
      out.push([e, e.status]);
      for (const child of this.tree.childrenOf(e.hash)) stack.push(child);
    }
    return out;
  }

  private async activate(
    target: TreeEntry,
    pending: Map<string, Block>,
    extraOps: StoreOp[],
  ): Promise<{ ok: true; event?: ReorgEvent } | { ok: false; failed: TreeEntry; error: BlockRejection }> {
    const oldTip = this.tree.tip();
    const { fork, branch } = this.tree.branchTo(target);
    const overlay = new StateOverlay(this.state);
    const ops: StoreOp[] = [...extraOps];

    const disconnectedTxs: Tx[] = [];
    for (let h = oldTip.header.height; h > fork.header.height; h--) {
      const hash = this.tree.hashAt(h)!;
      const [undo, block] = await Promise.all([this.cs.undo(hash), this.cs.block(hash)]);
      if (!undo || !block) throw damagedStore(this.cs.store.location, `no undo data or body of best-chain block ${hash.slice(0, 12)}`);
      for (let i = undo.length - 1; i >= 0; i--) overlay.setRaw(undo[i]![0], undo[i]![1], undo[i]![2]);
      ops.push(del(key.undo(hash)));
      if (h > target.header.height) ops.push(del(key.height(h)));
      disconnectedTxs.unshift(...block.txs);
    }

    const appEvents: Array<AppEvent & { height: number; blockHash: string }> = [];
    const connectedIds = new Set<string>();
    const connectedBlocks: Array<{ entry: TreeEntry; ids: string[] }> = [];
    for (const entry of branch) {
      const block = pending.get(entry.hash) ?? (await this.cs.block(entry.hash));
      if (!block) throw damagedStore(this.cs.store.location, `no body of block ${entry.hash.slice(0, 12)}`);
      const blockOverlay = new StateOverlay(overlay);
      const known = this.txIdsOf.get(block);
      const ids: string[] = [];
      const events: AppEvent[] = [];
      const ctx = { height: entry.header.height, time: entry.header.time, blockHash: entry.hash };
      for (let i = 0; i < block.txs.length; i++) {
        const tx = block.txs[i]!;
        const id = known?.[i] ?? this.txRules.idOf(tx);
        try {
          this.txRules.apply(blockOverlay, tx, id, ctx, events);
        } catch (err) {
          if (!(err instanceof TxRejection)) throw err;
          const error = new BlockRejection('BLOCK_BAD_TX', `transaction ${i} is invalid: ${err.message}`, {
            index: i,
            txCode: err.code,
          });
          return { ok: false, failed: entry, error };
        }
        ids.push(id);
      }
      ops.push(put(key.undo(entry.hash), blockOverlay.undo()), put(key.height(entry.header.height), entry.hash));
      if (entry.status !== 'valid') {
        ops.push(
          put(key.entry(entry.hash), {
            header: entry.header,
            work: this.consensus.work(entry.header.target).toString(16),
            status: 'valid',
          } satisfies StoredEntry),
        );
      }
      blockOverlay.mergeInto(overlay);
      for (const id of ids) connectedIds.add(id);
      for (const e of events) appEvents.push({ ...e, height: entry.header.height, blockHash: entry.hash });
      connectedBlocks.push({ entry, ids });
    }

    // A transaction of a disconnected block that the new branch lacks goes back to the mempool
    // in the same batch: a vote reported as counted must never vanish in a fork.
    const returned = disconnectedTxs.filter((tx) => !connectedIds.has(this.txRules.idOf(tx)));
    for (const tx of returned) ops.push(put(key.mempool(this.txRules.idOf(tx)), tx));
    for (const id of connectedIds) ops.push(del(key.mempool(id)));
    for (const [app, k, value] of overlay.changed()) ops.push(value === null ? del(key.state(app, k)) : putRaw(key.state(app, k), value));
    ops.push(put(key.tip, target.hash));
    await this.health.write(ops);

    overlay.mergeInto(this.state);
    this.tree.switchBranch(
      fork.header.height,
      branch.map((e) => e.hash),
    );
    for (const { entry } of connectedBlocks) entry.status = 'valid';

    const depth = oldTip.header.height - fork.header.height;
    const event: ReorgEvent | undefined =
      depth > 0
        ? {
            from: { hash: oldTip.hash, height: oldTip.header.height },
            to: { hash: target.hash, height: target.header.height },
            depth,
            connected: branch.length,
          }
        : undefined;
    if (event) {
      this.log.info(event, 'reorg');
      this.events.emit('reorg', event);
    }
    this.events.emit('tip', { returned, connectedTxIds: connectedIds });
    for (const { entry, ids } of connectedBlocks) {
      const e: BlockEvent = {
        hash: entry.hash,
        height: entry.header.height,
        time: entry.header.time,
        target: entry.header.target,
        txIds: ids,
        totalWork: entry.totalWork.toString(16),
        reorg: depth > 0,
      };
      this.events.emit('block', e);
    }
    for (const e of appEvents) this.events.emit('app', e);
    return { ok: true, event };
  }
}
