import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCairn } from '../support/processes.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cairn-sentences-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What a newcomer reads: one line saying what the flag accepts, never a regex or ajv's words. */
async function errorLine(...args: string[]): Promise<string> {
  const run = await runCairn(args);
  expect(run.code, run.stdout).toBe(1);
  return run.stderr.trim();
}

describe('error sentences a newcomer can act on', () => {
  it('a bad --tracker or --peer says HOST:PORT with an example, not a pattern', async () => {
    expect(await errorLine('node', 'start', '--data-dir', dir, '--tracker', 'bad')).toBe(
      "Error: --tracker must be HOST:PORT, like 127.0.0.1:7070, not 'bad' (CONFIG_INVALID)",
    );
    expect(await errorLine('node', 'start', '--data-dir', dir, '--peer', '127.0.0.1:1', '--peer', 'x y')).toBe(
      "Error: --peer must be HOST:PORT, like 127.0.0.1:7070, not 'x y' (CONFIG_INVALID)",
    );
  });

  it('a bad port reads the same from node start, tracker start and devnet', async () => {
    expect(await errorLine('node', 'start', '--data-dir', dir, '--port', '70000')).toBe(
      'Error: --port must be a port number from 0 to 65535, not 70000 (CONFIG_INVALID)',
    );
    expect(await errorLine('node', 'start', '--data-dir', dir, '--api-port', '-1')).toBe(
      'Error: --api-port must be a port number from 0 to 65535, not -1 (CONFIG_INVALID)',
    );
    expect(await errorLine('tracker', 'start', '--port', '70000')).toBe(
      'Error: --port must be a port number from 0 to 65535, not 70000 (CONFIG_INVALID)',
    );
    expect(await errorLine('devnet', '--data-dir', dir, '--tracker-port', '70000')).toBe(
      'Error: --tracker-port must be a port number from 0 to 65535, not 70000 (CONFIG_INVALID)',
    );
  });

  it('a range names what it accepts: more than 0, at most the maximum', async () => {
    expect(await errorLine('devnet', '--data-dir', dir, '--block-time', '0')).toBe(
      'Error: --block-time must be more than 0 and at most 3600 seconds, not 0 (CONFIG_INVALID)',
    );
    expect(await errorLine('node', 'start', '--data-dir', dir, '--block-time', '0')).toBe(
      'Error: --block-time must be a number more than 0 and at most 86400, not 0 (CONFIG_INVALID)',
    );
    expect(await errorLine('node', 'start', '--data-dir', dir, '--miners', '0')).toBe(
      'Error: --miners must be a whole number from 1 to 64, not 0 (CONFIG_INVALID)',
    );
  });

  it('--timeout 0 is refused before anything is sent, not quietly made 1 s', async () => {
    expect(await errorLine('vote', 'cast', '--data-dir', dir, '--choice', 'tea', '--voter', 'alice', '--timeout', '0')).toBe(
      "Error: --timeout must be a whole number of seconds from 1 to 86400, not '0' (CONFIG_INVALID)",
    );
  });

  it('help speaks to people who never saw the project cairn grew from', async () => {
    for (const args of [
      ['node', 'start', '--help'],
      ['vote', '--help'],
      ['faults', 'list'],
    ]) {
      const run = await runCairn(args);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).not.toMatch(/original/i);
    }
  });
});
