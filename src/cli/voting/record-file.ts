import { closeSync, fstatSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import type { ElectionRecordFile } from '../../apps/voting/index.js';
import { CairnError, ConfigError, parseUntrustedJson } from '../../kernel/index.js';

/** A million ballots of a few kilobytes each fit; a file past this is not read into memory. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

/** Whether the argument of `election verify` names a file rather than an election of the node. */
export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * An election record read from a file someone handed over: at most MAX_RECORD_BYTES, parsed as
 * untrusted JSON (bounded depth, no prototype keys). Whether it is a record at all is the
 * verifier's first check.
 */
export function readRecordFile(path: string, maxBytes = MAX_RECORD_BYTES): ElectionRecordFile {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new ConfigError('RECORD_UNREADABLE', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    const size = fstatSync(fd).size;
    if (size > maxBytes)
      throw new ConfigError('RECORD_TOO_LARGE', `${path} is ${size} bytes, more than the ${maxBytes} an election record may have`);
    const buffer = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buffer, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    try {
      return parseUntrustedJson(buffer.subarray(0, read)) as ElectionRecordFile;
    } catch (err) {
      if (err instanceof CairnError)
        throw new ConfigError('RECORD_FORMAT', `${path} is not an election record: it is not JSON a record can be (${err.message})`);
      throw err;
    }
  } finally {
    closeSync(fd);
  }
}

/** Writes the record, refusing to replace a file unless `force`. */
export function writeRecordFile(path: string, text: string, force: boolean): void {
  try {
    writeFileSync(path, text, { flag: force ? 'w' : 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new ConfigError('RECORD_EXISTS', `${path} exists already: give another --out, or --force to replace it`);
    throw new ConfigError('RECORD_UNWRITABLE', `cannot write ${path}: ${code ?? (err as Error).message}`);
  }
}
