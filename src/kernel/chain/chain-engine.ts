import type { Logger } from 'pino';
import { inject, injectable } from 'tsyringe';
import type { ChainApp, StateView } from '../app.js';
import { merkleRoot, BLOCK_VERSION, type Block, type BlockHeader } from '../block.js';
import type { BlockRules } from './block-rules.js';
import { BlockTree, type TreeEntry } from './block-tree.js';
import { ChainStore } from '../store/index.js';
import type { NodeEvents } from '../events.js';
import { OrphanPool } from './orphan-pool.js';
import { chainIdOf, type ChainParams } from '../params.js';
import { assertWired } from '../plugin.js';
import type { Clock, Consensus, Service, Store } from '../services.js';
import { BaseState } from '../state.js';
import type { StoreHealth } from '../store/index.js';
import {
  APPS,
  BLOCK_RULES,
  CHAIN_PARAMS,
  CLOCK,
  CONSENSUS,
  EVENTS,
  LOGGER,
  ORPHAN_POLICY,
  STORE,
  STORE_HEALTH,
  TX_RULES,
} from '../tokens.js';
import type { Tx, TxRules } from '../tx/index.js';
import { BlockImporter, LOCAL_SOURCE, type BlockOutcome, type BlockResult } from './block-importer.js';
import { openChain } from './chain-loader.js';
import { ChainReader, type TipInfo } from './chain-reader.js';
import { ForkChoice } from './fork-choice.js';
import type { OrphanPolicy } from './orphan-policy.js';
import { TipMover } from './tip-mover.js';
import { verifyStoredChain, type VerifyResult } from './verify.js';

export type { BlockOutcome } from './block-importer.js';
export type { TipInfo } from './chain-reader.js';

/**
 * The chain engine: validates blocks through the pipeline, keeps the block tree, chooses the
 * branch with the most work, and moves app state between branches with undo data so that the
 * state at any tip equals a replay of its branch from genesis. All changes of one tip move
 * (blocks, state, undo, index, mempool records) are one atomic store batch. Its parts: the
 * loader opens the store, the importer runs the pipeline, fork choice picks the branch, the
 * tip mover moves to it; readers go through `reader`.
 */
@injectable()
export class ChainEngine implements Service {
  readonly chainId: string;
  readonly reader: ChainReader;
  private readonly tree = new BlockTree();
  private readonly orphans: OrphanPool;
  private readonly state = new BaseState();
  private readonly cs: ChainStore;
  private readonly importer: BlockImporter;
  private genesisEntry!: TreeEntry;
  private queue: Promise<unknown> = Promise.resolve();
  private started = false;

  constructor(
    @inject(STORE) store: Store,
    @inject(STORE_HEALTH) private readonly health: StoreHealth,
    @inject(CONSENSUS) readonly consensus: Consensus,
    @inject(APPS) readonly apps: ChainApp[],
    @inject(CHAIN_PARAMS) readonly params: ChainParams,
    @inject(BLOCK_RULES) private readonly rules: BlockRules,
    /** Held open for the network edge (src/kernel/net) like `tree`; others inject TX_RULES. */
    @inject(TX_RULES) private readonly txRules: TxRules,
    @inject(ORPHAN_POLICY) orphanPolicy: OrphanPolicy,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(LOGGER) private readonly log: Logger,
    @inject(EVENTS) private readonly events: NodeEvents,
  ) {
    assertWired('ChainEngine', { store, health, consensus, apps, params, rules, txRules, orphanPolicy, clock, log, events });
    this.cs = new ChainStore(store);
    this.chainId = chainIdOf(params);
    this.orphans = new OrphanPool(orphanPolicy.limits);
    const { tree, state, cs } = this;
    const txIdsOf = new WeakMap<Block, string[]>();
    const mover = new TipMover({ tree, state, cs, health, consensus, txRules, log, events, txIdsOf });
    const forkChoice = new ForkChoice({ tree, health, consensus, log, mover });
    this.importer = new BlockImporter({
      tree,
      rules,
      consensus,
      clock,
      health,
      log,
      orphans: this.orphans,
      orphanPolicy,
      forkChoice,
      txIdsOf,
    });
    this.reader = new ChainReader({
      chainId: this.chainId,
      tree,
      state,
      cs,
      txRules,
      orphans: this.orphans,
      events,
      genesis: () => this.genesisEntry,
    });
  }

  async start(): Promise<void> {
    if (this.started) return;
    const { cs, health, tree, state, consensus, apps, params, chainId } = this;
    this.genesisEntry = await openChain({ cs, health, tree, state, consensus, apps, params, chainId });
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
    if (status.writable && this.importer.activationDue && this.started)
      this.submitBlocks([]).catch((err: unknown) => this.log.debug({ err: (err as Error).message }, 'deferred tip move failed'));
  };

  tip(): TipInfo {
    return this.reader.tip();
  }

  genesis(): TreeEntry {
    return this.genesisEntry;
  }

  /** Read-only view of an app's state at the tip. */
  view(app: string): StateView {
    return this.reader.view(app);
  }

  /** The state at the tip, for layers (the mempool) that stack their own changes on it. */
  stateLayer(): BaseState {
    return this.state;
  }

  query(appId: string, name: string, args: Record<string, unknown> = {}): unknown {
    return this.reader.query(appId, name, args);
  }

  blockAt(height: number): Promise<Block | undefined> {
    return this.reader.blockAt(height);
  }

  block(hash: string): Promise<Block | undefined> {
    return this.reader.block(hash);
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
  submitBlocks(raws: readonly unknown[], source = LOCAL_SOURCE): Promise<BlockResult[]> {
    return this.exclusive(() => this.importer.import(raws, source));
  }

  verify(): Promise<VerifyResult> {
    const { tree, rules, txRules, params, apps, chainId } = this;
    return this.exclusive(() => verifyStoredChain({ tree, rules, txRules, params, apps, chainId }, this.cs, this.state, this.clock));
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
