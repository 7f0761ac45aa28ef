import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CairnProcess, runCairn } from '../support/processes.js';

// One hash in 4,096: a block every few milliseconds, so kills land mid-write often.
const EASY = '000' + 'f'.repeat(61);
const ROUNDS = 10;

describe('a mining node killed with SIGKILL', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(`reopens after each of ${ROUNDS} kills, loses no acknowledged block, and its chain verifies`, async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cairn-crash-'));
    const acknowledged = new Map<number, string>();
    let lastHeight = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const node = new CairnProcess([
        'node',
        'start',
        '--data-dir',
        dir,
        '--mine',
        'always',
        '--difficulty',
        'fixed',
        '--initial-target',
        EASY,
        '--json',
      ]);
      try {
        const started = JSON.parse(await node.waitForLine(/"event":"started"/)) as { height: number };
        // Everything acknowledged before the kill is still there after it.
        expect(started.height).toBeGreaterThanOrEqual(lastHeight);
        await node.waitForLine(new RegExp(`"event":"block".*"height":${started.height + 2}\\b`));
        await new Promise((r) => setTimeout(r, Math.random() * 300));
      } finally {
        await node.kill('SIGKILL');
      }
      for (const e of node.jsonLines<{ event: string; height: number; hash: string }>()) {
        if (e.event !== 'block') continue;
        acknowledged.set(e.height, e.hash);
        lastHeight = Math.max(lastHeight, e.height);
      }
    }

    const shown = await runCairn(['chain', 'show', '--data-dir', dir, '--json', '--limit', '1000000']);
    expect(shown.code, shown.stderr).toBe(0);
    const onChain = new Map((JSON.parse(shown.stdout) as Array<{ height: number; hash: string }>).map((b) => [b.height, b.hash]));
    for (const [height, hash] of acknowledged) expect(onChain.get(height), `block ${height}`).toBe(hash);

    const verified = await runCairn(['chain', 'verify', '--data-dir', dir]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
  }, 180_000);
});
