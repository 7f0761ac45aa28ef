import type { Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject, injectable } from 'tsyringe';
import type { BlockHeader } from '../block.js';
import { ChainEngine } from '../chain/index.js';
import type { NodeConfig } from '../config.js';
import { describeError, StoreError } from '../errors.js';
import type { NodeEvents } from '../events.js';
import { Mempool } from '../mempool/index.js';
import { assertWired } from '../plugin.js';
import type { Clock, Consensus, Service } from '../services.js';
import type { StoreHealth, StoreStatus } from '../store/index.js';
import { CHAIN, CLOCK, CONFIG, CONSENSUS, EVENTS, LOGGER, MEMPOOL, STORE_HEALTH } from '../tokens.js';

/**
 * A block's transactions as JSON stay under this, so that the block, and a sync page that
 * carries it beside others (pages close after 4 MiB), always fit one protocol message (8 MiB):
 * 5,000 transactions of up to 16 KiB each could otherwise make a block no peer can receive.
 */
export const MAX_BLOCK_BODY_BYTES = 3 * 1024 * 1024;

/**
 * Builds a block from the mempool on the tip and has the consensus engine seal it, off the
 * event loop. A new tip aborts the work in hand; in `on-demand` mode (the original's) it
 * mines only while transactions wait. While the store takes no writes (a full disk) it
 * does not mine at all: a block it could not save would be lost work, and a lie if announced.
 */
@injectable()
export class Miner implements Service {
  private running = false;
  private loop?: Promise<void>;
  private current?: { controller: AbortController; header: BlockHeader; txCount: number };
  private wake?: () => void;
  private readonly onBlock = () => this.restartIfStale();
  private readonly onTx = () => this.onNewTx();
  private readonly onStore = (s: StoreStatus) => this.onStoreChange(s);
  blocksMined = 0;

  constructor(
    @inject(CHAIN) private readonly chain: ChainEngine,
    @inject(MEMPOOL) private readonly mempool: Mempool,
    @inject(STORE_HEALTH) private readonly health: StoreHealth,
    @inject(CONSENSUS) private readonly consensus: Consensus,
    @inject(CONFIG) private readonly config: NodeConfig,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(EVENTS) private readonly events: NodeEvents,
    @inject(LOGGER) private readonly log: Logger,
  ) {
    assertWired('Miner', { chain, mempool, health, consensus, config, clock, events, log });
  }

  get mode(): NodeConfig['mine'] {
    return this.config.mine;
  }

  start(): void {
    if (this.running || this.config.mine === 'off') return;
    this.running = true;
    this.events.on('block', this.onBlock);
    this.events.on('tx', this.onTx);
    this.events.on('store', this.onStore);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.events.off('block', this.onBlock);
    this.events.off('tx', this.onTx);
    this.events.off('store', this.onStore);
    this.current?.controller.abort();
    this.wake?.();
    await this.loop;
  }

  private restartIfStale(): void {
    if (this.current && this.current.header.prev !== this.chain.tip().hash) this.current.controller.abort();
    this.wake?.();
  }

  private onNewTx(): void {
    // An empty block in the making is not worth finishing when a vote is waiting.
    if (this.current && this.current.txCount === 0) this.current.controller.abort();
    this.wake?.();
  }

  private onStoreChange(status: StoreStatus): void {
    if (!status.writable) this.current?.controller.abort();
    this.wake?.();
  }

  /** Paused while the store takes no writes. */
  get paused(): boolean {
    return !this.health.writable;
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (!this.health.writable || (this.config.mine === 'on-demand' && this.mempool.size === 0)) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      try {
        await this.mineOne();
      } catch (err) {
        this.log.error({ err: describeError(err) }, 'mining failed');
        await sleep(1000);
      }
    }
  }

  private async mineOne(): Promise<void> {
    const controller = new AbortController();
    if (this.config.miningDelay > 0) {
      // The original paused 5 s before each block for its demonstration; a new tip cuts it short.
      this.current = { controller, header: this.chain.template([], this.clock.now()), txCount: 1 };
      await sleep(this.config.miningDelay, undefined, { signal: controller.signal }).catch(() => undefined);
      if (controller.signal.aborted || !this.running) return;
    }
    const txs = this.mempool.pending(this.config.maxBlockTxs, MAX_BLOCK_BODY_BYTES);
    const header = this.chain.template(txs, this.clock.now());
    this.current = { controller, header, txCount: txs.length };
    const sealed = await this.consensus.seal(header, controller.signal);
    this.current = undefined;
    if (!sealed || !this.running) return;
    try {
      const outcome = await this.chain.submitBlock({ header: sealed, txs });
      this.blocksMined++;
      this.log.info({ height: outcome.height, hash: outcome.hash.slice(0, 12), txs: txs.length }, 'block mined');
      this.events.emit('mined', { hash: outcome.hash, height: outcome.height, count: this.blocksMined });
    } catch (err) {
      // The store said why it wrote nothing, once; the miner waits for it.
      if (err instanceof StoreError) this.log.debug({ err: describeError(err), height: sealed.height }, 'own block not saved');
      else this.log.warn({ err: describeError(err), height: sealed.height }, 'own block refused');
    }
  }
}
