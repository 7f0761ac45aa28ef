import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { inject, injectable } from 'tsyringe';
import { key } from './chain-store.js';
import type { NodeConfig } from '../config.js';
import { isRetryableStoreError, StoreError } from '../errors.js';
import type { NodeEvents } from '../events.js';
import { assertWired } from '../plugin.js';
import type { Clock, Service, Store, StoreOp } from '../services.js';
import { CLOCK, CONFIG, EVENTS, LOGGER, STORE } from '../tokens.js';

/** What `node status` shows of the store: writable, or why not and since when. */
export interface StoreStatus {
  writable: boolean;
  /** STORE_FULL, STORE_UNAVAILABLE, STORE_DAMAGED, ... while not writable. */
  code?: string;
  message?: string;
  /** Unix ms of the failed write. */
  since?: number;
  /** True when the node tries again by itself (a full disk); false when it needs a person. */
  retrying?: boolean;
}

/**
 * A probe has to prove there is room for real work, not for a few bytes: a sync page or a
 * block is up to 4 MiB, so a probe that fits in the last free kilobytes would resume
 * writers only to pause them again. Hex of random bytes: LevelDB's compression cannot shrink it.
 */
const PROBE_VALUE = randomBytes(128 * 1024).toString('hex');

/**
 * Whether the node can write to its store, as one service the writers ask: the chain and the
 * mempool write through it, the miner and sync wait while it is paused, the API refuses new
 * transactions with its reason. The first failed write pauses every writer, so nothing that
 * could not be saved is ever taken into memory or reported as accepted.
 *
 * A failure that may clear by itself (`details.retryable`: ENOSPC, EDQUOT, EMFILE, ENOMEM)
 * is probed every `storeProbeMs`: the store recovers (LevelDB reopens once there is room)
 * and a probe write must succeed; then writers resume. Any other failure (EIO, a read-only
 * file system, damage) stays until the node is restarted, since only a person can fix it;
 * reads go on in both cases.
 */
@injectable()
export class StoreHealth implements Service {
  private failure?: { error: StoreError; since: number };
  private timer?: NodeJS.Timeout;
  private probing = false;
  private running = false;
  private probeCount = 0;

  constructor(
    @inject(STORE) private readonly store: Store,
    @inject(CONFIG) private readonly config: NodeConfig,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(EVENTS) private readonly events: NodeEvents,
    @inject(LOGGER) private readonly log: Logger,
  ) {
    assertWired('StoreHealth', { store, config, clock, events, log });
  }

  get writable(): boolean {
    return this.failure === undefined;
  }

  /** Probes tried since the node started: each is one attempt to write again. */
  get probes(): number {
    return this.probeCount;
  }

  status(): StoreStatus {
    const f = this.failure;
    if (!f) return { writable: true };
    return { writable: false, code: f.error.code, message: f.error.message, since: f.since, retrying: isRetryableStoreError(f.error) };
  }

  start(): void {
    this.running = true;
    if (this.failure && isRetryableStoreError(this.failure.error)) this.scheduleProbe();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Throws the reason writes are paused, before work that could not be saved. */
  assertWritable(): void {
    const f = this.failure;
    if (!f) return;
    throw new StoreError(f.error.code, `the node saves nothing new for now: ${f.error.message}`, {
      ...f.error.details,
      retryable: isRetryableStoreError(f.error),
    });
  }

  /** A store failure met elsewhere (a read that found damage): writers stop as for a failed write. */
  report(err: unknown): void {
    if (err instanceof StoreError && err.code !== 'STORE_BAD_OP' && err.code !== 'STORE_CLOSED') this.fail(err);
  }

  /** Writes a batch; a failure pauses every writer until the store is writable again. */
  async write(ops: readonly StoreOp[]): Promise<void> {
    this.assertWritable();
    try {
      await this.store.batch(ops);
    } catch (err) {
      // A refused operation wrote nothing and a closed store is a node stopping: neither is the disk's fault.
      this.report(err);
      throw err;
    }
  }

  private fail(error: StoreError): void {
    if (this.failure) return;
    this.failure = { error, since: this.clock.now() };
    if (isRetryableStoreError(error))
      this.log.warn(
        { code: error.code, retryMs: this.config.storeProbeMs },
        `store unavailable, writes paused (mining, sync and new transactions wait; nothing saved is lost): ${error.message}`,
      );
    else this.log.error({ code: error.code }, `store unavailable for writes until the node is restarted (reads go on): ${error.message}`);
    this.events.emit('store', this.status());
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (!this.running || this.timer || !this.failure || !isRetryableStoreError(this.failure.error)) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.probe();
    }, this.config.storeProbeMs);
    this.timer.unref();
  }

  private async probe(): Promise<void> {
    const failure = this.failure;
    if (!failure || this.probing || !this.running) return;
    this.probing = true;
    this.probeCount++;
    try {
      if (this.store.recover && !(await this.store.recover())) return;
      await this.store.batch([{ type: 'put', key: key.probe, value: PROBE_VALUE }]);
      await this.store.batch([{ type: 'del', key: key.probe }]);
      this.failure = undefined;
      this.log.warn({ pausedMs: this.clock.now() - failure.since }, 'store writable again: mining, sync and new transactions resume');
      this.events.emit('store', this.status());
    } catch (err) {
      if (err instanceof StoreError && !isRetryableStoreError(err) && err.code !== 'STORE_CLOSED') {
        this.failure = undefined;
        this.fail(err);
      } else this.log.debug({ err: (err as Error).message }, 'store still not writable');
    } finally {
      this.probing = false;
      this.scheduleProbe();
    }
  }
}
