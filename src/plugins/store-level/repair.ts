import { ClassicLevel } from 'classic-level';
import { cp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { toStoreError } from './level-errors.js';
import { LevelStore } from './level-store.js';
import { lockHeld } from './lock-table.js';
import { DAMAGE_MARKER } from './recovery-check.js';
import { inspectStoreFiles } from './store-files.js';

/**
 * What RepairDB's info log says it could not read (db/repair.cc of LevelDB 1.20): a table it
 * could not open ("Table #8: dropped: ..."), or read to its end ("Table #8: 12 entries
 * Corruption: ..."), or log records it skipped ("Log #3: dropping 120 bytes; ...").
 */
const REPAIR_LOSS = /(Table #\d+: (?:dropped: .*|\d+ entries (?!OK).+)|Log #\d+: (?:dropping|ignoring) .*)$/;

export interface RepairedCopy {
  store: LevelStore;
  /** What LevelDB's repair could not read, in its own words; empty when it read everything. */
  unreadable: string[];
}

/**
 * Copies the store at `location` to `copy` and runs LevelDB's repair (RepairDB) on the copy:
 * it rebuilds a MANIFEST from whatever table and log files it can read, drops the records it
 * cannot, and moves unreadable files into `lost/`. The original is only read, so nothing of
 * it is lost whatever the repair does. Returns the copy as a store, not started.
 */
export async function repairedCopy(location: string, copy: string): Promise<RepairedCopy> {
  let unreadable: string[];
  try {
    await cp(location, copy, { recursive: true, errorOnExist: true, force: false });
    // The copy is LevelDB's to rebuild: our marker, the old lock file and the info logs that
    // would report the repair's own drops as damage are not part of it.
    for (const name of [DAMAGE_MARKER, 'LOCK', 'LOG', 'LOG.old']) await rm(path.join(copy, name), { force: true });
    await ClassicLevel.repair(copy);
    const log = await readFile(path.join(copy, 'LOG'), 'utf8').catch(() => '');
    unreadable = log.split('\n').flatMap((line) => REPAIR_LOSS.exec(line)?.[1] ?? []);
    for (const name of ['LOG', 'LOG.old']) await rm(path.join(copy, name), { force: true });
  } catch (err) {
    throw toStoreError(err, copy);
  }
  return { store: new LevelStore(copy), unreadable };
}

/** Whether a node (or anything) has the store open now; undefined where this cannot be told. */
export function storeInUse(location: string): Promise<boolean | undefined> {
  return lockHeld(location);
}

/** Whether the directory holds store files at all (a database, healthy or not). */
export async function holdsStore(location: string): Promise<boolean> {
  return (await inspectStoreFiles(location)).kind !== 'empty';
}
