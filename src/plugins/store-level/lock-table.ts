import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Whether some process (this one included) holds LevelDB's lock on the store, read from the
 * kernel's lock table without taking the lock: LevelDB locks `LOCK` with fcntl(F_SETLK),
 * which Node cannot call, and opening the database to find out would run its recovery.
 * `undefined` where there is no /proc/locks (not Linux): the caller then cannot tell.
 *
 * A line of /proc/locks: `1: POSIX  ADVISORY  WRITE 17291 fe:00:2147866 0 EOF`, the device
 * as major:minor in hex and the inode in decimal.
 */
export async function lockHeld(location: string): Promise<boolean | undefined> {
  let table: string;
  try {
    table = await readFile('/proc/locks', 'utf8');
  } catch {
    return undefined;
  }
  let file;
  try {
    file = await stat(path.join(location, 'LOCK'));
  } catch {
    return false; // no LOCK file: nobody has opened it here
  }
  const dev = `${hex(major(file.dev))}:${hex(minor(file.dev))}:${file.ino}`;
  return table.split('\n').some((line) => line.includes(' POSIX ') && line.split(/\s+/).includes(dev));
}

// Linux's dev_t layout (sysmacros.h): major in bits 8-19 and 32+, minor in bits 0-7 and 20-31.
function major(dev: number): number {
  return (Math.floor(dev / 256) % 4096) + Math.floor(dev / 2 ** 32) * 4096;
}

function minor(dev: number): number {
  return (dev % 256) + (Math.floor(dev / 2 ** 20) % 4096) * 256;
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}
