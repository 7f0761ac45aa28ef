import { mkdirSync, openSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { ConfigError } from '../kernel/index.js';

/**
 * Past this size the log file is renamed to `FILE.1` (replacing the previous one) and a new
 * one begins, so a log keeps at most about twice this on disk however long it runs. At info a
 * node writes 100 to 200 bytes per block (docs/architecture.md, "Logs"): weeks of blocks every 10 s.
 */
export const LOG_FILE_MAX_BYTES = 32 * 1024 * 1024;

/** The one older file a log is rotated to. */
export function rotatedName(file: string): string {
  return `${file}.1`;
}

type Destination = ReturnType<typeof pino.destination>;

/**
 * An appending log file for pino's multistream. Writes go through pino's own asynchronous
 * destination (sonic-boom), which pino flushes synchronously when the process exits, also on
 * the `process.exit` after a fatal error. It counts what it is given and rotates past
 * `maxBytes`: the full file is renamed, what it still buffers is written there as it ends, and
 * a new file takes the lines that follow, so no line is split, lost or out of order.
 */
export class RotatingLogFile {
  private out: Destination;
  private bytes: number;

  constructor(
    readonly file: string,
    private readonly maxBytes = LOG_FILE_MAX_BYTES,
  ) {
    this.bytes = sizeOf(file);
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      this.out = this.open();
    } catch (err) {
      throw new ConfigError('CONFIG_INVALID', `--log-file: cannot write ${file}: ${(err as Error).message}`);
    }
  }

  write(line: string): void {
    const length = Buffer.byteLength(line);
    // One line longer than the bound still goes somewhere: a file holding something rotates first.
    if (this.bytes > 0 && this.bytes + length > this.maxBytes) this.rotate();
    this.bytes += length;
    this.out.write(line);
  }

  /** Opened here, synchronously, so the destination is ready at once and a rotation cannot race its open. */
  private open(): Destination {
    return pino.destination({ fd: openSync(this.file, 'a'), sync: false });
  }

  private rotate(): void {
    let next: Destination;
    try {
      renameSync(this.file, rotatedName(this.file));
      next = this.open();
    } catch {
      // The file was removed, or the dir turned read-only: keep writing where we are.
      this.bytes = 0;
      return;
    }
    const full = this.out;
    this.out = next;
    this.bytes = 0;
    full.end();
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
