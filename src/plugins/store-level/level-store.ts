import { ClassicLevel } from 'classic-level';
import type { Store, StoreOp } from '../../kernel/services.js';
import { checkedOps } from '../../kernel/store-ops.js';
import { closed, damaged, toStoreError } from './level-errors.js';
import { droppedRecords, readDamageMarker, writeDamageMarker } from './recovery-check.js';

type Database = ClassicLevel<string, string>;

/**
 * A Store on LevelDB (classic-level). A batch is one LevelDB write batch: one record in the
 * write-ahead log, so it is all or nothing across a crash.
 *
 * Writes use `sync: false`. LevelDB has handed the record to the OS (write(2)) before the
 * promise resolves, so an acknowledged batch survives the process being killed (kill -9,
 * an uncaught exception); only a power cut or OS crash can lose the last batches, and never
 * part of one. Syncing every batch would cost an fsync per block for that case alone.
 */
export class LevelStore implements Store {
  private db: Database | undefined;
  // start() and stop() run one after another, so a stop during a slow open waits for it.
  private lifecycle: Promise<void> = Promise.resolve();

  constructor(readonly location: string) {}

  start(): Promise<void> {
    return this.enqueue(() => this.open());
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.close());
  }

  async get(key: string): Promise<string | undefined> {
    const db = this.openDatabase();
    try {
      return await db.get(key);
    } catch (err) {
      throw toStoreError(err, this.location);
    }
  }

  async batch(ops: readonly StoreOp[]): Promise<void> {
    const db = this.openDatabase();
    const checked = checkedOps(ops, this.location);
    if (checked.length === 0) return;
    try {
      await db.batch(checked, { sync: false });
    } catch (err) {
      throw toStoreError(err, this.location);
    }
  }

  async *iterate(prefix: string): AsyncIterable<[string, string]> {
    const db = this.openDatabase();
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
      throw toStoreError(err, this.location);
    } finally {
      await iterator.close();
    }
  }

  private async open(): Promise<void> {
    if (this.db) return;
    const marker = await readDamageMarker(this.location).catch((err: unknown) => {
      throw toStoreError(err, this.location);
    });
    if (marker !== undefined) throw damaged(this.location, marker);

    const db: Database = new ClassicLevel(this.location, { keyEncoding: 'utf8', valueEncoding: 'utf8', createIfMissing: true });
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
  }

  private async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    await db?.close();
  }

  private openDatabase(): Database {
    if (!this.db) throw closed(this.location);
    return this.db;
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.lifecycle.then(step);
    this.lifecycle = next.catch(() => undefined);
    return next;
  }
}
