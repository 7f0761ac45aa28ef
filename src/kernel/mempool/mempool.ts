import type { Logger } from 'pino';
import { inject, injectable } from 'tsyringe';
import { ChainEngine } from '../chain/index.js';
import { ChainStore, del, key, put } from '../store/index.js';
import type { NodeConfig } from '../config.js';
import { TxRejection } from '../errors.js';
import type { NodeEvents, TipChange } from '../events.js';
import { assertWired } from '../plugin.js';
import type { Clock, Service, Store, StoreOp } from '../services.js';
import { StateOverlay } from '../state.js';
import type { StoreHealth } from '../store/index.js';
import type { Tx, TxRules } from '../tx/index.js';
import { CHAIN, CLOCK, CONFIG, EVENTS, LOGGER, STORE, STORE_HEALTH, TX_RULES } from '../tokens.js';

/**
 * Validated transactions waiting for a block, in arrival order. Each is judged against the tip
 * state with every earlier pending transaction applied (Bitcoin's mempool view), so two
 * ballots of one voter can never both wait here, and any prefix of the pool is a valid block.
 * After every tip move the pool is re-checked (CometBFT's recheck) and transactions of
 * disconnected blocks come back first.
 *
 * A transaction counts as admitted only once its record is written: until then it is held
 * (so that the view sees it and a conflicting one in the same tick is refused) but not
 * announced, and `add` has not answered. If the write fails, every transaction of that
 * batch leaves again and the view is rebuilt without them, so a retry is judged anew.
 */
@injectable()
export class Mempool implements Service {
  private readonly txs = new Map<string, Tx>();
  /** Signatures of the transactions in `txs`. */
  private readonly sigs = new Set<string>();
  /** Bytes of the transactions in `txs`, as JSON. */
  private bytes = 0;
  /** Held but not written yet, and the batch whose write decides them. */
  private readonly unsaved = new Map<string, PendingWrite>();
  private view: StateOverlay;
  private readonly onTip = (change: TipChange) => void this.recheck(change);
  private started = false;
  private batch: PendingWrite = { ops: [] };

  constructor(
    @inject(CHAIN) private readonly chain: ChainEngine,
    @inject(TX_RULES) private readonly txRules: TxRules,
    @inject(STORE) private readonly store: Store,
    @inject(STORE_HEALTH) private readonly health: StoreHealth,
    @inject(CONFIG) private readonly config: NodeConfig,
    @inject(EVENTS) private readonly events: NodeEvents,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(LOGGER) private readonly log: Logger,
  ) {
    assertWired('Mempool', { chain, txRules, store, health, config, events, clock, log });
    this.view = new StateOverlay(chain.stateLayer());
  }

  /** Transactions waiting and written (one whose write is in flight is not counted yet). */
  get size(): number {
    let n = this.txs.size;
    for (const id of this.unsaved.keys()) if (this.txs.has(id)) n--;
    return n;
  }

  /** Bytes of the waiting transactions, as JSON. */
  get byteSize(): number {
    return this.bytes;
  }

  /** Waiting and written: one whose write is in flight is not reported yet. */
  has(id: string): boolean {
    return this.txs.has(id) && !this.unsaved.has(id);
  }

  get(id: string): Tx | undefined {
    return this.unsaved.has(id) ? undefined : this.txs.get(id);
  }

  /**
   * True when `raw` carries the signature of a waiting transaction: peers relay each one
   * several times, and another transaction with the same signature would not verify, so a
   * relayed copy is known by its signature before any parsing or encoding.
   */
  holdsCopyOf(raw: unknown): boolean {
    const sig = (raw as { sig?: unknown } | null)?.sig;
    return typeof sig === 'string' && this.sigs.has(sig);
  }

  /**
   * Up to `limit` transactions in arrival order, at most `maxBytes` of them as JSON: always a
   * valid block body on the tip (a prefix of the pool).
   */
  pending(limit = Infinity, maxBytes = Infinity): Tx[] {
    const out: Tx[] = [];
    let bytes = 0;
    for (const [id, tx] of this.txs) {
      if (out.length >= limit) break;
      // Not written yet: neither it nor anything after it (which may lean on it) is mined.
      if (this.unsaved.has(id)) break;
      bytes += this.txRules.sizeOf(tx) + 1;
      if (bytes > maxBytes) break;
      out.push(tx);
    }
    return out;
  }

  ids(): string[] {
    return [...this.txs.keys()];
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.events.on('tip', this.onTip);
    const stored = await new ChainStore(this.store).mempool();
    const dropped: string[] = [];
    for (const tx of stored) {
      try {
        this.admit(tx);
      } catch (err) {
        if (err instanceof TxRejection && err.code === 'TX_KNOWN') continue;
        dropped.push(this.idOf(tx));
      }
    }
    if (dropped.length) await this.health.write(dropped.map((id) => del(key.mempool(id))));
    this.log.debug({ restored: this.txs.size, dropped: dropped.length }, 'mempool restored');
  }

  stop(): void {
    this.events.off('tip', this.onTip);
    this.started = false;
  }

  /**
   * The mempool path: the same rules as a block, judged on the tip plus pending transactions.
   * `source` names the peer it came from, so it is not relayed back there. Resolves once the
   * transaction is written; a store that cannot write refuses it with a StoreError.
   */
  async add(raw: unknown, source?: string): Promise<{ id: string }> {
    this.health.assertWritable();
    let admitted: { id: string; tx: Tx };
    try {
      admitted = this.admit(raw);
    } catch (err) {
      // Known but not written yet: "known" is the answer only once it is written.
      if (err instanceof TxRejection && err.code === 'TX_KNOWN' && this.unsaved.size > 0)
        await this.unsaved.get(this.idOf(this.txRules.checkEnvelope(raw)))?.written;
      throw err;
    }
    const { id, tx } = admitted;
    await this.persist(id, put(key.mempool(id), tx));
    this.events.emit('tx', { id, tx, source });
    return { id };
  }

  /**
   * Transactions admitted in the same tick (a gossip batch, a burst of API calls) share one
   * store batch: a LevelDB write per transaction cost more than its checks (measured).
   */
  private persist(id: string, op: StoreOp): Promise<void> {
    const batch = this.batch;
    batch.ops.push(op);
    this.unsaved.set(id, batch);
    batch.written ??= Promise.resolve().then(() => {
      this.batch = { ops: [] };
      return this.health.write(batch.ops).then(
        () => this.settle(batch, true),
        (err: unknown) => {
          this.settle(batch, false);
          throw err;
        },
      );
    });
    return batch.written;
  }

  /** A batch was written, or not: then its transactions leave, and the view is rebuilt without them. */
  private settle(batch: PendingWrite, written: boolean): void {
    const gone = new Set<string>();
    for (const [id, b] of this.unsaved) if (b === batch) gone.add(id);
    for (const id of gone) this.unsaved.delete(id);
    if (written) return;
    const kept = [...this.txs].filter(([id]) => !gone.has(id));
    this.txs.clear();
    this.sigs.clear();
    this.bytes = 0;
    this.view = new StateOverlay(this.chain.stateLayer());
    for (const [id, tx] of kept) {
      try {
        this.applyOnView(tx, id);
        this.hold(id, tx);
      } catch (err) {
        // It leaned on one that left (in a later batch, not written yet, whose add fails too).
        this.log.debug({ id, reason: (err as Error).message }, 'mempool dropped a transaction whose batch failed');
      }
    }
    this.log.debug({ removed: gone.size }, 'mempool took back transactions whose write failed');
  }

  private idOf(tx: Tx): string {
    return this.txRules.checkStateless(tx);
  }

  private admit(raw: unknown): { id: string; tx: Tx } {
    if (this.holdsCopyOf(raw)) throw new TxRejection('TX_KNOWN', 'this transaction is already waiting in the mempool');
    const tx = this.txRules.checkEnvelope(raw);
    const id = this.txRules.checkStateless(tx);
    if (this.txs.has(id)) throw new TxRejection('TX_KNOWN', 'this transaction is already waiting in the mempool');
    if (this.txs.size >= this.config.mempoolLimit)
      throw new TxRejection('MEMPOOL_FULL', `the mempool is full (${this.config.mempoolLimit} transactions)`);
    if (this.bytes + this.txRules.sizeOf(tx) > this.config.mempoolBytes)
      throw new TxRejection('MEMPOOL_FULL', `the mempool is full (${formatBytes(this.config.mempoolBytes)} of transactions)`);
    this.applyOnView(tx, id);
    this.hold(id, tx);
    return { id, tx };
  }

  private hold(id: string, tx: Tx): void {
    this.txs.set(id, tx);
    this.sigs.add(tx.sig);
    this.bytes += this.txRules.sizeOf(tx);
  }

  private applyOnView(tx: Tx, id: string): void {
    const tip = this.chain.tip();
    this.txRules.apply(this.view, tx, id, { height: tip.height + 1, time: Math.max(this.clock.now(), tip.header.time + 1) });
  }

  /** Rebuilds the view on the new tip; signatures were verified on entry and are not redone. */
  private async recheck(change: TipChange): Promise<void> {
    const candidates: Array<[string, Tx]> = [];
    const returned = new Set<string>();
    for (const tx of change.returned) {
      const id = this.txRules.checkStateless(tx);
      returned.add(id);
      candidates.push([id, tx]);
    }
    for (const entry of this.txs) if (!change.connectedTxIds.has(entry[0])) candidates.push(entry);
    this.txs.clear();
    this.sigs.clear();
    this.bytes = 0;
    this.view = new StateOverlay(this.chain.stateLayer());
    const dropped: string[] = [];
    for (const [id, tx] of candidates) {
      if (this.txs.has(id)) continue;
      try {
        this.applyOnView(tx, id);
        this.hold(id, tx);
        // Peers on the winning branch may never have seen it: announce it again.
        if (returned.has(id)) this.events.emit('tx', { id, tx });
      } catch (err) {
        dropped.push(id);
        this.log.debug({ id, reason: (err as Error).message }, 'mempool dropped a transaction after a tip change');
      }
    }
    // A store that cannot write said so once; a record left behind is dropped at the next start.
    if (dropped.length)
      await this.health
        .write(dropped.map((id) => del(key.mempool(id))))
        .catch((err: unknown) => this.log.debug({ err: (err as Error).message }, 'mempool cleanup not written'));
  }
}

/** Mempool records admitted in one tick, written as one store batch. */
interface PendingWrite {
  ops: StoreOp[];
  written?: Promise<void>;
}

function formatBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}
