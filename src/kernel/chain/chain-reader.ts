import type { ChainApp, StateView } from '../app.js';
import type { Block, BlockHeader } from '../block.js';
import { CairnError } from '../errors.js';
import type { NodeEventMap, NodeEvents } from '../events.js';
import { readOnlyView, type BaseState } from '../state.js';
import type { ChainStore } from '../store/index.js';
import type { TxRules } from '../tx/index.js';
import type { BlockTree, TreeEntry } from './block-tree.js';
import type { OrphanPool } from './orphan-pool.js';

export interface TipInfo {
  hash: string;
  height: number;
  header: BlockHeader;
  totalWork: bigint;
}

/** A block of the tree as readers see it: its status is the engine's to change. */
export type ChainEntry = Readonly<TreeEntry>;

export interface ChainReaderParts {
  readonly chainId: string;
  readonly tree: BlockTree;
  readonly state: BaseState;
  readonly cs: ChainStore;
  readonly txRules: TxRules;
  readonly orphans: OrphanPool;
  readonly events: NodeEvents;
  readonly genesis: () => TreeEntry;
}

/**
 * The chain, read-only (CHAIN_READER): the tip, blocks and headers by hash or height, app
 * state and queries, and the events the chain publishes. What the API, commands and faults
 * read, without reaching into the engine that changes it.
 */
export class ChainReader {
  constructor(private readonly parts: ChainReaderParts) {}

  get chainId(): string {
    return this.parts.chainId;
  }

  tip(): TipInfo {
    const e = this.parts.tree.tip();
    return { hash: e.hash, height: e.header.height, header: e.header, totalWork: e.totalWork };
  }

  genesis(): ChainEntry {
    return this.parts.genesis();
  }

  /** Height of the best chain's tip. */
  height(): number {
    return this.parts.tree.height();
  }

  /** The best chain's block at `height`. */
  hashAt(height: number): string | undefined {
    return this.parts.tree.hashAt(height);
  }

  /** Whether the block is in the tree (stored, on any branch). */
  has(hash: string): boolean {
    return this.parts.tree.has(hash);
  }

  entry(hash: string): ChainEntry | undefined {
    return this.parts.tree.get(hash);
  }

  header(hash: string): BlockHeader | undefined {
    return this.parts.tree.get(hash)?.header;
  }

  isOnBestChain(hash: string): boolean {
    const entry = this.parts.tree.get(hash);
    return entry !== undefined && this.parts.tree.isOnBestChain(entry);
  }

  /** Median time of up to 11 blocks ending at `hash` (the tip by default): a child must be later. */
  medianTimePast(hash?: string): number {
    const { tree } = this.parts;
    const entry = hash === undefined ? tree.tip() : tree.get(hash);
    if (!entry) throw new CairnError('BLOCK_UNKNOWN', `block ${hash?.slice(0, 12)} is not in the tree`);
    return tree.medianTimePast(entry);
  }

  /** Blocks in the tree, on every branch. */
  blockCount(): number {
    return this.parts.tree.size;
  }

  block(hash: string): Promise<Block | undefined> {
    return this.parts.cs.block(hash);
  }

  async blockAt(height: number): Promise<Block | undefined> {
    const hash = this.parts.tree.hashAt(height);
    return hash ? this.parts.cs.block(hash) : undefined;
  }

  /** Blocks waiting for their parent. */
  orphanCount(): number {
    return this.parts.orphans.size;
  }

  hasOrphan(hash: string): boolean {
    return this.parts.orphans.has(hash);
  }

  /** The apps this chain runs. */
  apps(): ChainApp[] {
    return this.appIds().map((id) => this.parts.txRules.app(id)!);
  }

  appIds(): string[] {
    return this.parts.txRules.appIds();
  }

  app(id: string): ChainApp | undefined {
    return this.parts.txRules.app(id);
  }

  /** Read-only view of an app's state at the tip. */
  view(app: string): StateView {
    return readOnlyView(this.parts.state, app);
  }

  query(appId: string, name: string, args: Record<string, unknown> = {}): unknown {
    const app = this.parts.txRules.app(appId);
    if (!app) throw new CairnError('APP_UNKNOWN', `this chain runs no app named '${appId}'`);
    const q = app.queries[name];
    if (!q)
      throw new CairnError(
        'QUERY_UNKNOWN',
        `app '${appId}' has no query '${name}' (has: ${Object.keys(app.queries).join(', ') || 'none'})`,
      );
    return q(this.view(appId), args);
  }

  /** Listens to the node's events (blocks, reorgs, app events...); returns the unsubscribe. */
  subscribe<K extends keyof NodeEventMap>(event: K, listener: (...args: NodeEventMap[K]) => void): () => void {
    const events = this.parts.events as unknown as NodeEventsLoose;
    events.on(event, listener as (...args: unknown[]) => void);
    return () => events.off(event, listener as (...args: unknown[]) => void);
  }
}

/** EventEmitter's generic overloads do not accept a key type parameter; the map above keeps callers typed. */
interface NodeEventsLoose {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}
