import { ClassicLevel } from 'classic-level';
import { readdir, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { StoreError } from '../../kernel/index.js';
import type { Store, StoreOp } from '../../kernel/index.js';
import { checkedOps } from '../../kernel/index.js';
import { closed, damaged, toStoreError } from './level-errors.js';
import { lockHeld } from './lock-table.js';
import { droppedRecords, readDamageMarker, writeDamageMarker } from './recovery-check.js';
import { inspectStoreFiles } from './store-files.js';

type Database = ClassicLevel<string, string>;

/** Room a reopen needs beyond the write-ahead logs it turns into a table: one write buffer. */
const REOPEN_MARGIN_BYTES = 4 * 1024 * 1024;

/**
 * A Store on LevelDB (classic-level). A batch is one LevelDB write batch: one record in the
 * write-ahead log, so it is all or nothing across a crash.
 *
 * Writes use `sync: false`. LevelDB has handed the record to the OS (write(2)) before the
 * promise resolves, so an acknowledged batch survives the process being killed (kill -9,
 * an uncaught exception); only a power cut or OS crash can lose the last batches, and never
 * part of one. Syncing every batch would cost an fsync per block for that case alone.
 *
 * After a failed write this store writes nothing more until `recover()` has reopened it.
 * LevelDB writes its log through stdio: a write that fails on a full disk leaves the first
 * part of its record in the log and moves its block offset on anyway, so the records that
 * later writes append cannot be read back (seen: 50 batches acknowledged after space
 * returned, all dropped at the next open as "checksum mismatch"). A failed compaction also
 * makes every later write fail until the database is reopened. Reopening starts a new log
 * and leaves the torn record at the end of the old one, where recovery skips it as an
 * unfinished write: the failed batch is then neither half nor wholly there.
 */
export class LevelStore implements Store {
  private db: Database | undefined;
  // start(), stop() and reopening run one after another, so a stop during a slow open waits for it.
  private lifecycle: Promise<void> = Promise.resolve();
  private reopening: Promise<void> | undefined;
  /** Why writes are refused until `recover()` succeeds. */
  private failure: StoreError | undefined;

  constructor(readonly location: string) {}

  start(): Promise<void> {
    return this.enqueue(() => this.open());
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.close());
  }

  async get(key: string): Promise<string | undefined> {
    const db = await this.database();
    try {
      return await db.get(key);
    } catch (err) {
      throw this.readFailed(err);
    }
  }

  async batch(ops: readonly StoreOp[]): Promise<void> {
    const checked = checkedOps(ops, this.location);
    if (checked.length === 0) return;
    if (this.failure) throw this.failure;
    const db = await this.database();
    try {
      await db.batch(checked, { sync: false });
    } catch (err) {
      const error = toStoreError(err, this.location);
      if (error.code === 'STORE_CLOSED') throw error;
      this.failure ??= error;
      if (error.code === 'STORE_DAMAGED') await this.markDamaged(error);
      throw error;
    }
  }

  async *iterate(prefix: string): AsyncIterable<[string, string]> {
    const db = await this.database();
    // Keys with a prefix are contiguous from the prefix on, so the scan stops at the first
    // key without it; an upper bound would have to be computed on UTF-8 bytes instead.
    const iterator = db.iterator({ gte: prefix });
    try {
      while (true) {
        const batch = await iterator.nextv(256);
        if (batch.length === 0) return;
        for (const entry of batch) {
          if (!entry[0].startsWith(prefix)) return;
          yield entry;
        }
      }
    } catch (err) {
      throw this.readFailed(err);
    } finally {
      await iterator.close();
    }
  }

  /**
   * Makes the store writable again after a failed write: true when it is. A failure that
   * cannot clear by itself (damage, EIO) stays; otherwise the database is reopened once the
   * disk has room for LevelDB to turn its log into a table, and reads wait meanwhile.
   */
  async recover(): Promise<boolean> {
    const failure = this.failure;
    if (!failure) return true;
    if (failure.details?.retryable !== true) return false;
    if (!(await this.roomToReopen())) return false;
    const reopen = this.enqueue(async () => {
      await this.close();
      await this.open();
    });
    this.reopening = reopen.catch(() => undefined);
    try {
      await reopen;
    } catch (err) {
      // Still full, or worse: the next recover() tries again; reads fail until then.
      this.failure = toStoreError(err, this.location);
      return false;
    } finally {
      this.reopening = undefined;
    }
    this.failure = undefined;
    return true;
  }

  private async roomToReopen(): Promise<boolean> {
    try {
      const fs = await statfs(this.location);
      let logs = 0;
      for (const name of await readdir(this.location)) if (name.endsWith('.log')) logs += (await stat(path.join(this.location, name))).size;
      return fs.bavail * fs.bsize >= logs + REOPEN_MARGIN_BYTES;
    } catch {
      return false;
    }
  }

  private async open(): Promise<void> {
    if (this.db) return;
    const fail = (err: unknown): never => {
      throw toStoreError(err, this.location);
    };
    const marker = await readDamageMarker(this.location).catch(fail);
    if (marker !== undefined) throw damaged(this.location, marker);

    // Only a running LevelDB holds the lock: its files may be mid-change, and it will refuse us anyway.
    const files = (await lockHeld(this.location).catch(fail))
      ? { kind: 'database' as const }
      : await inspectStoreFiles(this.location).catch(fail);
    if (files.kind === 'damaged') throw damaged(this.location, files.reason);

    // A store that holds anything is opened as it is, never created anew over it.
    const db: Database = new ClassicLevel(this.location, {
      keyEncoding: 'utf8',
      valueEncoding: 'utf8',
      createIfMissing: files.kind === 'empty',
    });
    try {
      await db.open();
    } catch (err) {
      throw toStoreError(err, this.location);
    }
    const dropped = await droppedRecords(this.location);
    if (dropped !== undefined) {
      await db.close();
      // Without the marker only this start would know; the damage is still reported below.
      await writeDamageMarker(this.location, dropped).catch(() => undefined);
      throw damaged(this.location, dropped);
    }
    this.db = db;
    this.failure = undefined;
  }

  private async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    await db?.close();
  }

  private async database(): Promise<Database> {
    if (this.reopening) await this.reopening;
    if (!this.db) throw closed(this.location);
    return this.db;
  }

  /** Damage found by a read is kept: every later start refuses too, and writes stop now. */
  private readFailed(err: unknown): StoreError {
    const error = toStoreError(err, this.location);
    if (error.code === 'STORE_DAMAGED') {
      this.failure ??= error;
      void this.markDamaged(error);
    }
    return error;
  }

  private async markDamaged(error: StoreError): Promise<void> {
    const cause = typeof error.details?.cause === 'string' ? error.details.cause : error.message;
    await writeDamageMarker(this.location, cause).catch(() => undefined);
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.lifecycle.then(step);
    this.lifecycle = next.catch(() => undefined);
    return next;
  }
}
