import type { Logger } from 'pino';
import type { Block } from '../block.js';
import { BlockRejection, damagedStore, TxRejection } from '../errors.js';
import type { BlockEvent, NodeEvents, ReorgEvent } from '../events.js';
import type { Consensus, StoreOp } from '../services.js';
import { StateOverlay, type BaseState } from '../state.js';
import { del, key, put, putRaw, type ChainStore, type EntryStatus, type StoredEntry, type StoreHealth } from '../store/index.js';
import type { AppEvent, Tx, TxRules } from '../tx/index.js';
import type { BlockTree, TreeEntry } from './block-tree.js';

export type MoveResult = { ok: true; event?: ReorgEvent } | { ok: false; failed: TreeEntry; error: BlockRejection };

/** The store record of a tree entry with `status`. */
export function entryOp(consensus: Consensus, entry: TreeEntry, status: EntryStatus): StoreOp {
  return put(key.entry(entry.hash), {
    header: entry.header,
    work: consensus.work(entry.header.target).toString(16),
    status,
  } satisfies StoredEntry);
}

export interface TipMoverParts {
  readonly tree: BlockTree;
  readonly state: BaseState;
  readonly cs: ChainStore;
  readonly health: StoreHealth;
  readonly consensus: Consensus;
  readonly txRules: TxRules;
  readonly log: Logger;
  readonly events: NodeEvents;
  /** Transaction ids of admitted blocks, so connecting one does not encode its transactions again. */
  readonly txIdsOf: WeakMap<Block, string[]>;
}

type AppEventAt = AppEvent & { height: number; blockHash: string };

/** What connecting a branch did, for the batch and for the events after it. */
interface Connected {
  ids: Set<string>;
  blocks: Array<{ entry: TreeEntry; ids: string[] }>;
  appEvents: AppEventAt[];
}

/** What a tip move changes, gathered before anything is written. */
interface Move {
  oldTip: TreeEntry;
  fork: TreeEntry;
  branch: TreeEntry[];
  target: TreeEntry;
  overlay: StateOverlay;
  ops: StoreOp[];
}

/**
 * Moves the tip to another block: undoes the best chain down to the fork point, applies the
 * branch up to the target, and writes every change of the move (undo, index, state, mempool
 * records, tip) as one store batch before memory and listeners learn of it.
 */
export class TipMover {
  constructor(private readonly parts: TipMoverParts) {}

  /** `extraOps` (bodies and entries not stored yet) go into the same batch. */
  async move(target: TreeEntry, pending: Map<string, Block>, extraOps: StoreOp[]): Promise<MoveResult> {
    const { tree, state } = this.parts;
    const oldTip = tree.tip();
    const { fork, branch } = tree.branchTo(target);
    const move: Move = { oldTip, fork, branch, target, overlay: new StateOverlay(state), ops: [...extraOps] };
    const disconnected = await this.disconnect(move);
    const connected = await this.connect(move, pending);
    if ('failed' in connected) return { ok: false, ...connected };
    const returned = this.finishBatch(move, disconnected, connected.ids);
    await this.parts.health.write(move.ops);
    this.commit(move, connected);
    return { ok: true, event: this.announce(move, returned, connected) };
  }

  /** Undoes the best chain above the fork point; returns the transactions it took off, oldest first. */
  private async disconnect({ oldTip, fork, target, overlay, ops }: Move): Promise<Tx[]> {
    const { tree, cs } = this.parts;
    const txs: Tx[] = [];
    for (let h = oldTip.header.height; h > fork.header.height; h--) {
      const hash = tree.hashAt(h)!;
      const [undo, block] = await Promise.all([cs.undo(hash), cs.block(hash)]);
      if (!undo || !block) throw damagedStore(cs.store.location, `no undo data or body of best-chain block ${hash.slice(0, 12)}`);
      for (let i = undo.length - 1; i >= 0; i--) overlay.setRaw(undo[i]![0], undo[i]![1], undo[i]![2]);
      ops.push(del(key.undo(hash)));
      if (h > target.header.height) ops.push(del(key.height(h)));
      txs.unshift(...block.txs);
    }
    return txs;
  }

  /** Applies the branch block by block; stops at the first block with an invalid transaction. */
  private async connect(move: Move, pending: Map<string, Block>): Promise<Connected | { failed: TreeEntry; error: BlockRejection }> {
    const connected: Connected = { ids: new Set(), blocks: [], appEvents: [] };
    for (const entry of move.branch) {
      const block = pending.get(entry.hash) ?? (await this.parts.cs.block(entry.hash));
      if (!block) throw damagedStore(this.parts.cs.store.location, `no body of block ${entry.hash.slice(0, 12)}`);
      const error = this.connectBlock(move, entry, block, connected);
      if (error) return { failed: entry, error };
    }
    return connected;
  }

  private connectBlock(move: Move, entry: TreeEntry, block: Block, connected: Connected): BlockRejection | undefined {
    const { txRules, consensus } = this.parts;
    const blockOverlay = new StateOverlay(move.overlay);
    const known = this.parts.txIdsOf.get(block);
    const ids: string[] = [];
    const events: AppEvent[] = [];
    const ctx = { height: entry.header.height, time: entry.header.time, blockHash: entry.hash };
    for (let i = 0; i < block.txs.length; i++) {
      const tx = block.txs[i]!;
      const id = known?.[i] ?? txRules.idOf(tx);
      try {
        txRules.apply(blockOverlay, tx, id, ctx, events);
      } catch (err) {
        if (!(err instanceof TxRejection)) throw err;
        return new BlockRejection('BLOCK_BAD_TX', `transaction ${i} is invalid: ${err.message}`, { index: i, txCode: err.code });
      }
      ids.push(id);
    }
    move.ops.push(put(key.undo(entry.hash), blockOverlay.undo()), put(key.height(entry.header.height), entry.hash));
    if (entry.status !== 'valid') move.ops.push(entryOp(consensus, entry, 'valid'));
    blockOverlay.mergeInto(move.overlay);
    for (const id of ids) connected.ids.add(id);
    for (const e of events) connected.appEvents.push({ ...e, height: entry.header.height, blockHash: entry.hash });
    connected.blocks.push({ entry, ids });
    return undefined;
  }

  /**
   * Adds the mempool, state and tip records to the batch. A transaction of a disconnected
   * block that the new branch lacks goes back to the mempool in the same batch: a vote
   * reported as counted must never vanish in a fork. Returns those transactions.
   */
  private finishBatch({ overlay, ops, target }: Move, disconnected: Tx[], connectedIds: Set<string>): Tx[] {
    const { txRules } = this.parts;
    const returned = disconnected.filter((tx) => !connectedIds.has(txRules.idOf(tx)));
    for (const tx of returned) ops.push(put(key.mempool(txRules.idOf(tx)), tx));
    for (const id of connectedIds) ops.push(del(key.mempool(id)));
    for (const [app, k, value] of overlay.changed()) ops.push(value === null ? del(key.state(app, k)) : putRaw(key.state(app, k), value));
    ops.push(put(key.tip, target.hash));
    return returned;
  }

  /** The batch is written: memory follows it. */
  private commit({ overlay, fork, branch }: Move, connected: Connected): void {
    overlay.mergeInto(this.parts.state);
    this.parts.tree.switchBranch(
      fork.header.height,
      branch.map((e) => e.hash),
    );
    for (const { entry } of connected.blocks) entry.status = 'valid';
  }

  private announce({ oldTip, fork, target, branch }: Move, returned: Tx[], connected: Connected): ReorgEvent | undefined {
    const { events, log } = this.parts;
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
      log.info(event, 'reorg');
      events.emit('reorg', event);
    }
    events.emit('tip', { returned, connectedTxIds: connected.ids });
    for (const { entry, ids } of connected.blocks) events.emit('block', blockEvent(entry, ids, depth > 0));
    for (const e of connected.appEvents) events.emit('app', e);
    return event;
  }
}

function blockEvent(entry: TreeEntry, txIds: string[], reorg: boolean): BlockEvent {
  return {
    hash: entry.hash,
    height: entry.header.height,
    time: entry.header.time,
    target: entry.header.target,
    txIds,
    totalWork: entry.totalWork.toString(16),
    reorg,
  };
}
