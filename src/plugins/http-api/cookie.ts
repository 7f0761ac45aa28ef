import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Files a running node leaves in its data dir, so CLI commands find it (as bitcoind's `.cookie`). */
export const COOKIE_FILE = 'api.cookie';
export const URL_FILE = 'api.url';

export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Writes the token (0600: only the node's user may write) and the URL. A stale file of a node
 * killed with -9 is removed first, because `mode` applies only when a file is created.
 */
export async function writeApiFiles(dataDir: string, url: string, token: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const cookie = join(dataDir, COOKIE_FILE);
  await rm(cookie, { force: true });
  await writeFile(cookie, token, { mode: 0o600, flag: 'wx' });
  await writeFile(join(dataDir, URL_FILE), url + '\n', { mode: 0o644 });
}

/** Removes the files if they are still ours: another node may have started on the same dir since. */
export async function removeApiFiles(dataDir: string, token: string): Promise<void> {
  const cookie = join(dataDir, COOKIE_FILE);
  const current = await readFile(cookie, 'utf8').catch(() => undefined);
  if (current !== undefined && current.trim() !== token) return;
  await rm(cookie, { force: true });
  await rm(join(dataDir, URL_FILE), { force: true });
}
