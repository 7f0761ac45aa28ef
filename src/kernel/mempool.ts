import type { Logger } from 'pino';
import { inject, injectable } from 'tsyringe';
import { ChainEngine } from './chain.js';
import { ChainStore, del, key, put } from './chain-store.js';
import type { NodeConfig } from './config.js';
import { TxRejection } from './errors.js';
import type { NodeEvents, TipChange } from './events.js';
import { assertWired } from './plugin.js';
import type { Clock, Service, Store, StoreOp } from './services.js';
import { StateOverlay } from './state.js';
import type { Tx } from './tx.js';
import { CHAIN, CLOCK, CONFIG, EVENTS, LOGGER, STORE } from './tokens.js';

/**
 * Validated transactions waiting for a block, in arrival order. Each is judged against the tip
 * state with every earlier pending transaction applied (Bitcoin's mempool view), so two
 * ballots of one voter can never both wait here, and any prefix of the pool is a valid block.
 * After every tip move the pool is re-checked (CometBFT's recheck) and transactions of
 * disconnected blocks come back first.
 */
@injectable()
export class Mempool implements Service {
  private readonly txs = new Map<string, Tx>();
  /** Signatures of the transactions in `txs`. */
  private readonly sigs = new Set<string>();
  private view: StateOverlay;
  private readonly onTip = (change: TipChange) => void this.recheck(change);
  private started = false;
  private writes: StoreOp[] = [];
  private flushing?: Promise<void>;

  constructor(
    @inject(CHAIN) private readonly chain: ChainEngine,
    @inject(STORE) private readonly store: Store,
    @inject(CONFIG) private readonly config: NodeConfig,
    @inject(EVENTS) private readonly events: NodeEvents,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(LOGGER) private readonly log: Logger,
  ) {
    assertWired('Mempool', { chain, store, config, events, clock, log });
    this.view = new StateOverlay(chain.stateLayer());
  }

  get size(): number {
    return this.txs.size;
  }

  has(id: string): boolean {
    return this.txs.has(id);
  }

  get(id: string): Tx | undefined {
    return this.txs.get(id);
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
    for (const tx of this.txs.values()) {
      if (out.length >= limit) break;
      bytes += this.chain.txRules.sizeOf(tx) + 1;
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
    if (dropped.length) await this.store.batch(dropped.map((id) => del(key.mempool(id))));
    this.log.debug({ restored: this.txs.size, dropped: dropped.length }, 'mempool restored');
  }

  stop(): void {
    this.events.off('tip', this.onTip);
    this.started = false;
  }

  /**
   * The mempool path: the same rules as a block, judged on the tip plus pending transactions.
   * `source` names the peer it came from, so it is not relayed back there.
   */
  async add(raw: unknown, source?: string): Promise<{ id: string }> {
    const { id, tx } = this.admit(raw);
    await this.persist(put(key.mempool(id), tx));
    this.events.emit('tx', { id, tx, source });
    return { id };
  }

  /**
   * Transactions admitted in the same tick (a gossip batch, a burst of API calls) share one
   * store batch: a LevelDB write per transaction cost more than its checks (measured).
   */
  private persist(op: StoreOp): Promise<void> {
    this.writes.push(op);
    this.flushing ??= Promise.resolve().then(() => {
      const ops = this.writes;
      this.writes = [];
      this.flushing = undefined;
      return this.store.batch(ops);
    });
    return this.flushing;
  }

  private idOf(tx: Tx): string {
    return this.chain.txRules.checkStateless(tx);
  }

  private admit(raw: unknown): { id: string; tx: Tx } {
    if (this.holdsCopyOf(raw)) throw new TxRejection('TX_KNOWN', 'this transaction is already waiting in the mempool');
    const tx = this.chain.txRules.checkEnvelope(raw);
    const id = this.chain.txRules.checkStateless(tx);
    if (this.txs.has(id)) throw new TxRejection('TX_KNOWN', 'this transaction is already waiting in the mempool');
    if (this.txs.size >= this.config.mempoolLimit)
      throw new TxRejection('MEMPOOL_FULL', `the mempool is full (${this.config.mempoolLimit} transactions)`);
    this.applyOnView(tx, id);
    this.txs.set(id, tx);
    this.sigs.add(tx.sig);
    return { id, tx };
  }

  private applyOnView(tx: Tx, id: string): void {
    const tip = this.chain.tip();
    this.chain.txRules.apply(this.view, tx, id, { height: tip.height + 1, time: Math.max(this.clock.now(), tip.header.time + 1) });
  }

  /** Rebuilds the view on the new tip; signatures were verified on entry and are not redone. */
  private async recheck(change: TipChange): Promise<void> {
    const candidates: Array<[string, Tx]> = [];
    const returned = new Set<string>();
    for (const tx of change.returned) {
      const id = this.chain.txRules.checkStateless(tx);
      returned.add(id);
      candidates.push([id, tx]);
    }
    for (const entry of this.txs) if (!change.connectedTxIds.has(entry[0])) candidates.push(entry);
    this.txs.clear();
    this.sigs.clear();
    this.view = new StateOverlay(this.chain.stateLayer());
    const dropped: string[] = [];
    for (const [id, tx] of candidates) {
      if (this.txs.has(id)) continue;
      try {
        this.applyOnView(tx, id);
        this.txs.set(id, tx);
        this.sigs.add(tx.sig);
        // Peers on the winning branch may never have seen it: announce it again.
        if (returned.has(id)) this.events.emit('tx', { id, tx });
      } catch (err) {
        dropped.push(id);
        this.log.debug({ id, reason: (err as Error).message }, 'mempool dropped a transaction after a tip change');
      }
    }
    if (dropped.length)
      await this.store.batch(dropped.map((id) => del(key.mempool(id)))).catch((err) => this.log.error({ err }, 'mempool cleanup failed'));
  }
}
