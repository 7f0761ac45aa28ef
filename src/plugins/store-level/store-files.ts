import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { LogDamage, logicalRecords } from './log-records.js';
import { ManifestDamage, readManifest } from './manifest.js';

/** What the store directory holds before LevelDB is let near it. */
export type StoreFiles =
  /** No directory, or nothing in it but LevelDB's lock and info log: a new store may be made. */
  | { kind: 'empty' }
  | { kind: 'database' }
  /** Store files without a database LevelDB could open as it was: opening would reset it. */
  | { kind: 'damaged'; reason: string };

/** The files that make a LevelDB database; LOCK and LOG are made by any attempt to open. */
const DATA_FILE = /^(CURRENT|MANIFEST-\d+|\d+\.(log|ldb|sst))$/;
const TABLE_FILE = /^(\d+)\.(ldb|sst)$/;
const LOG_FILE = /^(\d+)\.log$/;
/** Larger than any MANIFEST LevelDB writes between two opens (one edit per compaction). */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
/** A write-ahead log is about one write buffer (4 MiB) plus a batch; past this, LevelDB's own report is relied on. */
const MAX_LOG_BYTES = 256 * 1024 * 1024;

/**
 * LevelDB with `createIfMissing` treats a directory without `CURRENT` as a new database and
 * deletes the table files it does not know; with a MANIFEST cut short it opens an older
 * version and deletes the newer tables. So before it opens, we check what it would read:
 * `CURRENT` names an existing MANIFEST, the MANIFEST reads to its end with every checksum
 * right, the write-ahead log it names as current exists (it is only deleted once a later
 * edit names another, so its absence means edits were lost), every table it lists exists
 * with the size it was written with (a truncated table would otherwise be found only by the
 * first read that reaches it), and the write-ahead logs LevelDB would replay read with every
 * checksum right up to a possibly torn last record (LevelDB skips a damaged record without a
 * word, and its neighbours in the same 32 KiB block, then deletes the log: checked after the
 * open, the damage could be reported but no longer repaired).
 */
export async function inspectStoreFiles(location: string): Promise<StoreFiles> {
  let names: string[];
  try {
    names = await readdir(location);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'empty' };
    throw err;
  }
  if (!names.some((n) => DATA_FILE.test(n))) return { kind: 'empty' };
  if (!names.includes('CURRENT')) return { kind: 'damaged', reason: 'its CURRENT file is missing' };

  const current = await readFile(path.join(location, 'CURRENT'), 'utf8');
  const manifestName = /^(MANIFEST-\d+)\n$/.exec(current)?.[1];
  if (!manifestName) return { kind: 'damaged', reason: 'its CURRENT file does not name a MANIFEST' };
  if (!names.includes(manifestName)) return { kind: 'damaged', reason: `its CURRENT file names ${manifestName}, which is missing` };

  const manifestPath = path.join(location, manifestName);
  if ((await stat(manifestPath)).size > MAX_MANIFEST_BYTES) return { kind: 'database' }; // LevelDB checks what we would not read
  let manifest;
  try {
    manifest = readManifest(await readFile(manifestPath));
  } catch (err) {
    if (err instanceof ManifestDamage) return { kind: 'damaged', reason: `its ${manifestName} is unreadable: ${err.message}` };
    throw err;
  }

  const logs = new Set(names.flatMap((n) => LOG_FILE.exec(n)?.[1] ?? []).map(Number));
  // 0 is the log number of a database whose first open never finished: it has no log yet.
  if (manifest.logNumber > 0 && !logs.has(manifest.logNumber))
    return {
      kind: 'damaged',
      reason: `its ${manifestName} is out of date: the write-ahead log it names (${logName(manifest.logNumber)}) is missing`,
    };

  for (const number of logs) {
    if (number < manifest.logNumber && number !== manifest.prevLogNumber) continue; // obsolete: LevelDB deletes it unread
    const name = logName(number);
    const file = path.join(location, name);
    if ((await stat(file)).size > MAX_LOG_BYTES) continue;
    try {
      for (const _ of logicalRecords(await readFile(file), { tornTail: 'end' })) void _;
    } catch (err) {
      if (err instanceof LogDamage) return { kind: 'damaged', reason: `its write-ahead log ${name} is unreadable: ${err.message}` };
      throw err;
    }
  }

  const tables = new Map(names.flatMap((n) => (TABLE_FILE.test(n) ? [[Number(TABLE_FILE.exec(n)![1]), n] as const] : [])));
  for (const [number, size] of manifest.tables) {
    const name = tables.get(number);
    if (!name) return { kind: 'damaged', reason: `table file ${String(number).padStart(6, '0')}.ldb is missing` };
    const actual = (await stat(path.join(location, name))).size;
    if (actual !== size) return { kind: 'damaged', reason: `table file ${name} holds ${actual} bytes of the ${size} written` };
  }
  return { kind: 'database' };
}

function logName(number: number): string {
  return `${String(number).padStart(6, '0')}.log`;
}
