import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * LevelDB without paranoid checks (classic-level offers no way to turn them on) replays a
 * damaged write-ahead log by skipping the bad records, opens without error, and then
 * deletes that log: the lost writes are gone for good and a second open looks healthy. The
 * only trace is a line in the info log it rewrites at every open, e.g.
 * "(ignoring error) .../000003.log: dropping 10500 bytes; Corruption: checksum mismatch".
 * A log torn by kill -9 mid-write is not reported there (LevelDB treats a short last record
 * as an unfinished write), so this line means real damage.
 */
const DROPPED_RECORDS = /dropping \d+ bytes; Corruption: [^\n]*/;

/** Left in the store directory once damage is seen, so every later start refuses too. */
export const DAMAGE_MARKER = 'CAIRN-DAMAGED';

/** The reason the last open found damage, or undefined when recovery was clean. */
export async function droppedRecords(location: string): Promise<string | undefined> {
  const log = await readFile(path.join(location, 'LOG'), 'utf8').catch(() => '');
  return DROPPED_RECORDS.exec(log)?.[0];
}

export async function readDamageMarker(location: string): Promise<string | undefined> {
  try {
    return (await readFile(path.join(location, DAMAGE_MARKER), 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function writeDamageMarker(location: string, reason: string): Promise<void> {
  await writeFile(path.join(location, DAMAGE_MARKER), `${reason}\n`);
}
