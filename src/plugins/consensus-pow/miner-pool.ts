import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import type { Logger } from 'pino';
import { SealError } from './errors.js';
import { MINER_SOURCE } from './miner-source.js';

/**
 * Miners run below the node's priority by default: on a small machine the node's own event
 * loop (gossip, validation, the API) must win the CPU whenever it has something to do.
 */
export const DEFAULT_MINER_NICENESS = 10;

export interface MinerPoolOptions {
  size: number;
  /** Wall time of one hashing batch: the bound on how late a miner notices a halt. */
  batchMs: number;
  /** Scheduling niceness of the miner processes (0 to 19). */
  niceness?: number;
  log?: Logger;
}

export interface Found {
  nonce: number;
  hash: string;
}

interface Miner {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<void>;
  /** The job this miner has not yet answered. */
  busyWith?: number;
}

interface Search {
  readonly id: number;
  readonly signal: AbortSignal;
  readonly onAbort: () => void;
  readonly resolve: (found: Found | null) => void;
  readonly reject: (err: Error) => void;
  /** Miners still searching this job; when none is left without a find, the nonce space is spent. */
  searching: number;
}

type MinerMessage =
  { t: 'found'; id: number; hashes: number; nonce: number; hash: string } | { t: 'halted' | 'exhausted'; id: number; hashes: number };

/**
 * A pool of persistent miner processes, spawned on the first search and killed on `stop()`.
 * Child processes rather than worker threads: OpenSSL hashing in worker threads of one process
 * scaled poorly on two cores where separate processes scaled (see docs/architecture.md).
 * Each miner searches one residue class of the nonce space (start + i, stride = pool size).
 */
export class MinerPool {
  private miners: Miner[] = [];
  private search?: Search;
  private lastId = 0;
  private idleWaiters: Array<() => void> = [];
  /** Hashes computed by all miners so far, counted when each miner answers a job. */
  hashes = 0;

  constructor(private readonly options: MinerPoolOptions) {}

  get size(): number {
    return this.options.size;
  }

  /** Process ids of the live miners (empty before the first search and after `stop()`). */
  get pids(): number[] {
    return this.miners.map((m) => m.pid);
  }

  /**
   * Searches nonces from `startNonce` for a hash of `header` (with its nonce bytes rewritten)
   * at or below `target`. Resolves null when `signal` aborts or a newer search supersedes this one.
   */
  find(header: Buffer, target: string, startNonce: number, signal: AbortSignal): Promise<Found | null> {
    this.finish(null);
    if (signal.aborted) return Promise.resolve(null);
    this.spawnMissing();
    const id = ++this.lastId;
    return new Promise<Found | null>((resolve, reject) => {
      const onAbort = () => {
        if (this.search?.id === id) this.finish(null);
      };
      this.search = { id, signal, onAbort, resolve, reject, searching: this.miners.length };
      signal.addEventListener('abort', onAbort, { once: true });
      const hex = header.toString('hex');
      this.miners.forEach((miner, i) => {
        miner.busyWith = id;
        miner.child.channel?.ref();
        this.send(miner, { t: 'job', id, header: hex, target, start: startNonce + i, stride: this.miners.length });
      });
    });
  }

  /** Resolves once every miner has answered its last job: after an abort, when the CPU is free again. */
  idle(): Promise<void> {
    if (this.miners.every((m) => m.busyWith === undefined)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Kills every miner and waits for them to exit. Idempotent; a later search spawns a new pool. */
  async stop(): Promise<void> {
    this.finish(null);
    const miners = this.miners;
    this.miners = [];
    for (const miner of miners) {
      // Unreferenced while idle; referenced again so that waiting for the exit keeps the process up.
      miner.child.ref();
      miner.child.kill('SIGKILL');
    }
    await Promise.all(miners.map((m) => m.exited));
    this.wakeIdle();
  }

  private spawnMissing(): void {
    while (this.miners.length < this.options.size) this.miners.push(this.spawnMiner());
  }

  private spawnMiner(): Miner {
    const child = spawn(process.execPath, ['-e', MINER_SOURCE, String(this.options.batchMs)], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    });
    const miner: Miner = { child, pid: child.pid ?? -1, exited };
    const niceness = this.options.niceness ?? DEFAULT_MINER_NICENESS;
    if (child.pid !== undefined && niceness !== 0) {
      try {
        setPriority(child.pid, niceness);
      } catch {
        // Not every platform lets a process renice its children; mining at full priority still works.
      }
    }
    // An idle pool must not keep the node's process alive; a search refs the channel for its duration.
    child.unref();
    child.channel?.unref();
    child.on('message', (message: MinerMessage) => this.onMessage(miner, message));
    child.once('exit', (code, signal) => this.onExit(miner, code, signal));
    child.once('error', (err) => this.onExit(miner, null, null, err));
    this.options.log?.debug({ pid: miner.pid }, 'miner process started');
    return miner;
  }

  private onMessage(miner: Miner, message: MinerMessage): void {
    this.hashes += message.hashes;
    if (miner.busyWith === message.id) {
      miner.busyWith = undefined;
      miner.child.channel?.unref();
      this.wakeIdle();
    }
    const search = this.search;
    if (!search || search.id !== message.id) return;
    if (message.t === 'found') {
      this.finish({ nonce: message.nonce, hash: message.hash });
    } else if (message.t === 'exhausted' && --search.searching === 0) {
      this.finish(new SealError('SEAL_EXHAUSTED', 'every nonce below 2^53 was tried without meeting the target: refresh the header time'));
    }
  }

  private onExit(miner: Miner, code: number | null, signal: NodeJS.Signals | null, err?: Error): void {
    if (!this.miners.includes(miner)) return; // killed by stop()
    this.miners = this.miners.filter((m) => m !== miner);
    this.options.log?.warn({ pid: miner.pid, code, signal, err: err?.message }, 'miner process exited');
    this.wakeIdle();
    if (this.search && miner.busyWith === this.search.id) {
      this.finish(
        new SealError('MINER_EXITED', `miner process ${miner.pid} exited while sealing (${err?.message ?? signal ?? `code ${code}`})`),
      );
    }
  }

  /** Ends the current search with a result, null (aborted) or an error, and halts the miners. */
  private finish(outcome: Found | null | Error): void {
    const search = this.search;
    if (!search) return;
    this.search = undefined;
    search.signal.removeEventListener('abort', search.onAbort);
    for (const miner of this.miners) if (miner.busyWith === search.id) this.send(miner, { t: 'halt', id: search.id });
    if (outcome instanceof Error) search.reject(outcome);
    else search.resolve(outcome);
  }

  private send(miner: Miner, message: object): void {
    if (!miner.child.connected) return;
    // A miner that died between the check and the write is handled by its exit event.
    miner.child.send(message, (err) => {
      if (err) this.options.log?.debug({ pid: miner.pid, err: err.message }, 'miner message lost');
    });
  }

  private wakeIdle(): void {
    if (!this.miners.every((m) => m.busyWith === undefined)) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
