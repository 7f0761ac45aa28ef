import type { Logger } from 'pino';
import type { Block } from '../block.js';
import { BlockRejection, CairnError } from '../errors.js';
import type { ReorgEvent } from '../events.js';
import type { Clock, Consensus, StoreOp } from '../services.js';
import { key, put, type StoredEntry, type StoreHealth } from '../store/index.js';
import type { BlockRules } from './block-rules.js';
import { outweighs, type BlockTree, type TreeEntry } from './block-tree.js';
import type { ForkChoice, WriteJournal } from './fork-choice.js';
import type { OrphanPolicy } from './orphan-policy.js';
import type { OrphanPool } from './orphan-pool.js';

export type BlockOutcome =
  | { status: 'connected'; hash: string; height: number; reorg?: ReorgEvent }
  | { status: 'side'; hash: string; height: number }
  | { status: 'orphan'; hash: string; height: number };

export interface BlockResult {
  outcome?: BlockOutcome;
  error?: CairnError;
}

/** Orphans are accounted per source (a peer's key); blocks from inside the process share this one. */
export const LOCAL_SOURCE = 'local';

export interface BlockImporterParts {
  readonly tree: BlockTree;
  readonly rules: BlockRules;
  readonly consensus: Consensus;
  readonly clock: Clock;
  readonly health: StoreHealth;
  readonly log: Logger;
  readonly orphans: OrphanPool;
  readonly orphanPolicy: OrphanPolicy;
  readonly forkChoice: ForkChoice;
  /** Transaction ids of admitted blocks, so connecting one does not encode its transactions again. */
  readonly txIdsOf: WeakMap<Block, string[]>;
}

/** One run of blocks: what it admitted and what it must write. */
class ImportRun {
  readonly results: BlockResult[] = [];
  readonly pending = new Map<string, Block>();
  readonly ops: StoreOp[] = [];
  readonly added: TreeEntry[] = [];
  /** Orphans taken from the pool and admitted: back to the pool if their batch is never written. */
  readonly adopted: Array<[string, Block, string[]]> = [];
}

/**
 * The block pipeline: structure → seal → link and height → timestamp → transactions for each
 * block of a run, orphans kept until their parent comes, then one tip move for the whole run.
 */
export class BlockImporter {
  /**
   * A run stored its blocks but its tip move failed (the disk filled in between): the best
   * candidate is activated on the next run even if that run brings nothing new.
   */
  private due = false;

  constructor(private readonly parts: BlockImporterParts) {}

  get activationDue(): boolean {
    return this.due;
  }

  /** Each block is judged as if submitted alone; processing stops at the first rejected one. */
  async import(raws: readonly unknown[], source: string): Promise<BlockResult[]> {
    // Nothing is judged that could not be saved: the sender is asked again once the store writes.
    this.parts.health.assertWritable();
    const run = new ImportRun();
    for (const raw of raws) if (!this.judge(raw, source, run)) break;
    if (!run.added.length && !this.due) return run.results;
    return this.activate(run);
  }

  /** Records the block's outcome or error; false when the run must stop there. */
  private judge(raw: unknown, source: string, run: ImportRun): boolean {
    try {
      run.results.push({ outcome: this.receive(raw, source, run) });
      return true;
    } catch (err) {
      const error = err instanceof CairnError ? err : this.malformed(err);
      run.results.push({ error });
      return error instanceof BlockRejection && error.verdict === 'ignore';
    }
  }

  private receive(raw: unknown, source: string, run: ImportRun): BlockOutcome {
    const { rules, tree } = this.parts;
    const block = rules.structure(raw);
    const hash = rules.checkSeal(block);
    if (tree.has(hash)) throw new BlockRejection('BLOCK_KNOWN', 'block is already known');
    const parent = tree.get(block.header.prev);
    if (!parent) {
      this.keepOrphan(block, hash, source);
      return { status: 'orphan', hash, height: block.header.height };
    }
    const entry = this.admit(block, hash, parent, run);
    return { status: 'side', hash, height: entry.header.height };
  }

  /**
   * Admits a block, then the orphans waiting for it, then theirs, and so on (a loop, not
   * recursion: an orphan chain may be long). Their failures are theirs, not the new block's.
   */
  private admit(block: Block, hash: string, parent: TreeEntry, run: ImportRun): TreeEntry {
    const entry = this.admitOne(block, hash, parent, run);
    const waiting: TreeEntry[] = [entry];
    while (waiting.length) {
      const parentEntry = waiting.pop()!;
      for (const [childHash, child, childIds] of this.parts.orphans.takeChildren(parentEntry.hash)) {
        try {
          waiting.push(this.admitOne(child, childHash, parentEntry, run, childIds));
          run.adopted.push([childHash, child, childIds]);
        } catch (err) {
          this.parts.log.debug({ hash: childHash, err: (err as Error)?.message }, 'orphan rejected');
        }
      }
    }
    return entry;
  }

  /** The parent-dependent checks, then the block joins the tree as unchecked and the run's batch. */
  private admitOne(block: Block, hash: string, parent: TreeEntry, run: ImportRun, txIds?: string[]): TreeEntry {
    const { rules, tree, consensus } = this.parts;
    rules.link(block, parent);
    rules.timestamp(block, tree.medianTimePast(parent), this.parts.clock.now());
    this.parts.txIdsOf.set(block, txIds ?? rules.transactions(block));
    const work = consensus.work(block.header.target);
    run.ops.push(
      put(key.block(hash), block),
      put(key.entry(hash), { header: block.header, work: work.toString(16), status: 'unchecked' } satisfies StoredEntry),
    );
    run.pending.set(hash, block);
    const entry = tree.add(hash, block.header, work, 'unchecked');
    run.added.push(entry);
    return entry;
  }

  /**
   * A block whose parent we lack is kept only once everything that needs no parent holds:
   * the orphan policy's screen, its ids, root and signatures (so a mutant body under a real
   * header is refused now, and cannot displace the real block later).
   */
  private keepOrphan(block: Block, hash: string, source: string): void {
    this.parts.orphanPolicy.screen(block);
    const txIds = this.parts.rules.transactions(block);
    this.parts.orphans.add(hash, block, txIds, source, JSON.stringify(block).length);
  }

  /** Moves the tip once for the run, in one store batch with the run's blocks. */
  private async activate(run: ImportRun): Promise<BlockResult[]> {
    const { tree, health, forkChoice } = this.parts;
    const journal: WriteJournal = { stored: false, marked: [] };
    const due = this.due;
    this.due = false;
    try {
      const best = forkChoice.choose(run.added, due);
      if (!outweighs(best, tree.tip())) {
        await health.write(run.ops);
        return run.results;
      }
      const { event, error } = await forkChoice.activateBest(best, run.pending, run.ops, journal);
      this.settle(run.results, event, error);
      return run.results;
    } catch (err) {
      this.takeBack(journal, run);
      // Blocks stored without their tip move: the next run activates the best of them.
      this.due = due || journal.stored;
      health.report(err);
      throw err;
    }
  }

  /** After the tip move: blocks now on the best chain are connected, those found invalid are errors. */
  private settle(results: BlockResult[], event: ReorgEvent | undefined, error: BlockRejection | undefined): void {
    const { tree } = this.parts;
    for (const result of results) {
      const outcome = result.outcome;
      if (!outcome || outcome.status === 'orphan') continue;
      const entry = tree.get(outcome.hash)!;
      if (entry.status === 'invalid') {
        result.outcome = undefined;
        result.error = error ?? new BlockRejection('BLOCK_INVALID_ANCESTOR', 'block builds on an invalid block');
      } else if (tree.isOnBestChain(entry))
        result.outcome = { status: 'connected', hash: outcome.hash, height: outcome.height, reorg: event };
    }
  }

  /**
   * A batch failed (a full disk): memory goes back to what the store holds. Verdicts not
   * written are undone; blocks whose bodies were never written are forgotten (their sender
   * or sync offers them again), and orphans among them return to the pool.
   */
  private takeBack(journal: WriteJournal, run: ImportRun): void {
    for (const [entry, status] of journal.marked) entry.status = status;
    if (journal.stored) return;
    for (let i = run.added.length - 1; i >= 0; i--) this.parts.tree.remove(run.added[i]!.hash);
    for (const [hash, block, txIds] of run.adopted) this.parts.orphans.add(hash, block, txIds, LOCAL_SOURCE, JSON.stringify(block).length);
  }

  /**
   * Judging untrusted input threw something uncoded (a bug in a check, a value no check
   * foresaw): the block is at fault, never the node, so it becomes a coded rejection.
   */
  private malformed(err: unknown): BlockRejection {
    const reason = err instanceof Error ? err.message : String(err);
    this.parts.log.warn({ err: reason }, 'judging a block threw; rejected as malformed');
    return new BlockRejection('BLOCK_MALFORMED', `the block could not be judged: ${reason.slice(0, 200)}`);
  }
}
