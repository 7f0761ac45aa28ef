import { crc32c, unmaskCrc } from './crc32c.js';

/**
 * A reader of LevelDB's MANIFEST (db/log_format.h, db/version_edit.cc of LevelDB 1.20, the
 * version classic-level builds): a log of 32 KiB blocks of records, each record a
 * VersionEdit. We read it ourselves, before LevelDB opens the store, because LevelDB reads
 * a damaged MANIFEST too kindly: a record cut short at the end of the file is taken for an
 * unfinished write and skipped without a word, so a truncated MANIFEST opens as an older
 * version of the database, and LevelDB then deletes the newer table files that version does
 * not list (seen: 30,000 keys opened as 1,380, five table files deleted).
 *
 * Log record (little-endian): crc32c masked (4 bytes) over type + payload, length (2 bytes),
 * type (1 byte: 1 FULL, 2 FIRST, 3 MIDDLE, 4 LAST; 0 with length 0 is padding), payload. A
 * block's last 0-6 bytes are zero padding when no header fits. A logical record is one FULL
 * or FIRST, MIDDLE..., LAST.
 */
const BLOCK_SIZE = 32768;
const HEADER_SIZE = 7;
const FULL = 1;
const FIRST = 2;
const MIDDLE = 3;
const LAST = 4;

/** VersionEdit tags (version_edit.cc). */
const TAG = { comparator: 1, logNumber: 2, nextFile: 3, lastSequence: 4, compactPointer: 5, deletedFile: 6, newFile: 7, prevLog: 9 };

export interface ManifestState {
  /** The oldest write-ahead log still needed: LevelDB never deletes it while it is named here. */
  logNumber: number;
  prevLogNumber: number;
  nextFile: number;
  /** Live table files: number → size in bytes, as recorded when each was written. */
  tables: Map<number, number>;
}

export class ManifestDamage extends Error {}

/** Replays the MANIFEST's edits; throws ManifestDamage for anything LevelDB would not write. */
export function readManifest(bytes: Uint8Array): ManifestState {
  const state: ManifestState = { logNumber: 0, prevLogNumber: 0, nextFile: 0, tables: new Map() };
  const live = new Map<string, [number, number]>();
  let records = 0;
  let hasNextFile = false;
  let hasLogNumber = false;
  for (const record of logicalRecords(bytes)) {
    records++;
    const edit = decodeEdit(record);
    if (edit.logNumber !== undefined) {
      state.logNumber = edit.logNumber;
      hasLogNumber = true;
    }
    if (edit.prevLogNumber !== undefined) state.prevLogNumber = edit.prevLogNumber;
    if (edit.nextFile !== undefined) {
      state.nextFile = edit.nextFile;
      hasNextFile = true;
    }
    for (const [level, number] of edit.deleted) live.delete(`${level}:${number}`);
    for (const [level, number, size] of edit.added) live.set(`${level}:${number}`, [number, size]);
  }
  if (records === 0) throw new ManifestDamage('it holds no record');
  if (!hasNextFile || !hasLogNumber) throw new ManifestDamage('it lacks the next-file or log-number entry');
  for (const [number, size] of live.values()) state.tables.set(number, size);
  return state;
}

function* logicalRecords(bytes: Uint8Array): Generator<Uint8Array> {
  let fragments: Uint8Array[] | undefined;
  for (let block = 0; block < bytes.length; block += BLOCK_SIZE) {
    const end = Math.min(block + BLOCK_SIZE, bytes.length);
    let at = block;
    while (at + HEADER_SIZE <= end) {
      const length = bytes[at + 4]! | (bytes[at + 5]! << 8);
      const type = bytes[at + 6]!;
      if (type === 0 && length === 0) break; // padding: LevelDB skips the rest of the block
      if (at + HEADER_SIZE + length > end) {
        if (end === bytes.length) throw new ManifestDamage('it ends in the middle of a record (cut short)');
        throw new ManifestDamage(`a record at byte ${at} runs past its block`);
      }
      const masked = (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
      if (crc32c(bytes.subarray(at + 6, at + HEADER_SIZE + length)) !== unmaskCrc(masked))
        throw new ManifestDamage(`the record at byte ${at} fails its checksum`);
      const payload = bytes.subarray(at + HEADER_SIZE, at + HEADER_SIZE + length);
      at += HEADER_SIZE + length;
      if (type === FULL) {
        if (fragments) throw new ManifestDamage('a record is missing its last fragment');
        yield payload;
      } else if (type === FIRST) {
        if (fragments) throw new ManifestDamage('a record is missing its last fragment');
        fragments = [payload];
      } else if (type === MIDDLE || type === LAST) {
        if (!fragments) throw new ManifestDamage('a record fragment has no start');
        fragments.push(payload);
        if (type === LAST) {
          yield concat(fragments);
          fragments = undefined;
        }
      } else throw new ManifestDamage(`a record has the unknown type ${type}`);
    }
    // 1-6 bytes left in a block are its trailer; at the end of the file they are a torn header.
    if (end === bytes.length && at < end && bytes.subarray(at, end).some((b) => b !== 0))
      throw new ManifestDamage('it ends in the middle of a record header (cut short)');
  }
  if (fragments) throw new ManifestDamage('it ends in the middle of a record (cut short)');
}

interface Edit {
  logNumber?: number;
  prevLogNumber?: number;
  nextFile?: number;
  deleted: Array<[number, number]>;
  added: Array<[number, number, number]>;
}

function decodeEdit(bytes: Uint8Array): Edit {
  const edit: Edit = { deleted: [], added: [] };
  let at = 0;
  const varint = (): number => {
    let result = 0;
    for (let shift = 0; shift <= 63; shift += 7) {
      if (at >= bytes.length) throw new ManifestDamage('a version edit ends inside a number');
      const byte = bytes[at++]!;
      result += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return result;
    }
    throw new ManifestDamage('a version edit holds an overlong number');
  };
  const slice = (): void => {
    const length = varint();
    if (at + length > bytes.length) throw new ManifestDamage('a version edit ends inside a key');
    at += length;
  };
  while (at < bytes.length) {
    const tag = varint();
    switch (tag) {
      case TAG.comparator:
        slice();
        break;
      case TAG.logNumber:
        edit.logNumber = varint();
        break;
      case TAG.prevLog:
        edit.prevLogNumber = varint();
        break;
      case TAG.nextFile:
        edit.nextFile = varint();
        break;
      case TAG.lastSequence:
        varint();
        break;
      case TAG.compactPointer:
        varint();
        slice();
        break;
      case TAG.deletedFile:
        edit.deleted.push([varint(), varint()]);
        break;
      case TAG.newFile: {
        const level = varint();
        const number = varint();
        const size = varint();
        slice();
        slice();
        edit.added.push([level, number, size]);
        break;
      }
      default:
        throw new ManifestDamage(`a version edit has the unknown tag ${tag}`);
    }
  }
  return edit;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
