import { crc32c, unmaskCrc } from './crc32c.js';

/**
 * LevelDB's log format (db/log_format.h, db/log_reader.cc of LevelDB 1.20), shared by its
 * write-ahead logs and its MANIFEST: 32 KiB blocks of records. A record (little-endian) is a
 * masked CRC-32C (4 bytes) over type + payload, the length (2 bytes), the type (1 byte: 1
 * FULL, 2 FIRST, 3 MIDDLE, 4 LAST; 0 with length 0 is padding) and the payload; a block's
 * last 1-6 bytes are zero padding when no header fits. A logical record is one FULL, or FIRST,
 * MIDDLE..., LAST.
 *
 * This reader refuses what LevelDB's reader reports as corruption (and, reading a write-ahead
 * log, skips without a word: the lost writes are the silent part). A record cut short at the
 * very end of the file is what kill -9 mid-write leaves, and LevelDB treats it as an
 * unfinished write: `tornTail: 'end'` accepts it as the end, `'damage'` refuses it.
 */
const BLOCK_SIZE = 32768;
const HEADER_SIZE = 7;
const FULL = 1;
const FIRST = 2;
const MIDDLE = 3;
const LAST = 4;

export class LogDamage extends Error {}

export function* logicalRecords(bytes: Uint8Array, options: { tornTail: 'damage' | 'end' }): Generator<Uint8Array> {
  const torn = (what: string): void => {
    if (options.tornTail === 'damage') throw new LogDamage(`it ends in the middle of a ${what} (cut short)`);
  };
  let fragments: Uint8Array[] | undefined;
  for (let block = 0; block < bytes.length; block += BLOCK_SIZE) {
    const end = Math.min(block + BLOCK_SIZE, bytes.length);
    let at = block;
    while (at + HEADER_SIZE <= end) {
      const length = bytes[at + 4]! | (bytes[at + 5]! << 8);
      const type = bytes[at + 6]!;
      if (type === 0 && length === 0) break; // padding: LevelDB skips the rest of the block
      if (at + HEADER_SIZE + length > end) {
        if (end < bytes.length || end - block === BLOCK_SIZE) throw new LogDamage(`the record at byte ${at} runs past its block`);
        torn('record');
        return;
      }
      const masked = (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
      if (crc32c(bytes.subarray(at + 6, at + HEADER_SIZE + length)) !== unmaskCrc(masked))
        throw new LogDamage(`the record at byte ${at} fails its checksum`);
      const payload = bytes.subarray(at + HEADER_SIZE, at + HEADER_SIZE + length);
      at += HEADER_SIZE + length;
      if (type === FULL) {
        if (fragments) throw new LogDamage('a record is missing its last fragment');
        yield payload;
      } else if (type === FIRST) {
        if (fragments) throw new LogDamage('a record is missing its last fragment');
        fragments = [payload];
      } else if (type === MIDDLE || type === LAST) {
        if (!fragments) throw new LogDamage('a record fragment has no start');
        fragments.push(payload);
        if (type === LAST) {
          yield concat(fragments);
          fragments = undefined;
        }
      } else throw new LogDamage(`a record has the unknown type ${type}`);
    }
    // 1-6 bytes left in a block are its trailer; at the end of the file they are a torn header.
    if (end === bytes.length && at < end && bytes.subarray(at, end).some((b) => b !== 0)) {
      torn('record header');
      return;
    }
  }
  if (fragments) torn('record');
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
