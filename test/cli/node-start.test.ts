import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { headerHash, type Block } from '../../src/kernel/block.js';
import { key } from '../../src/kernel/store/chain-store.js';
import { LevelStore } from '../../src/plugins/store-level/index.js';
import { CairnProcess, runCairn } from '../support/processes.js';

// One hash in 2^16 qualifies: tens of blocks a second on one core, few enough to list.
const EASY = '0000' + 'f'.repeat(60);

let dir: string;
const processes: CairnProcess[] = [];
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cairn-node-'));
});
afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill('SIGKILL')));
  await rm(dir, { recursive: true, force: true });
});

function start(args: string[]): CairnProcess {
  const node = new CairnProcess(['node', 'start', '--data-dir', dir, ...args]);
  processes.push(node);
  return node;
}

describe('cairn node start', () => {
  it('mines blocks, stops on SIGTERM, and leaves a chain that chain show lists and chain verify accepts', async () => {
    const node = start(['--mine', 'always', '--difficulty', 'fixed', '--initial-target', EASY]);
    await node.waitForLine(/^block 3 /);
    expect(await node.kill('SIGTERM')).toBe(0);
    const stopped = /stopped \(SIGTERM\) at height (\d+)/.exec(node.stdout);
    expect(stopped, node.stdout).not.toBeNull();
    const height = Number(stopped![1]);
    expect(height).toBeGreaterThanOrEqual(3);
    expect(node.stdout).toMatch(/^block 2 +[0-9a-f]{12} +txs 0 +\+\d+\.\d+s +difficulty 16\.0 bits$/m);
    expect(node.stderr).not.toMatch(/^\s+at /m);

    // No chain flags: the data dir remembers its chain.
    const shown = await runCairn(['chain', 'show', '--data-dir', dir, '--json', '--limit', '100000']);
    expect(shown.code, shown.stderr).toBe(0);
    const blocks = JSON.parse(shown.stdout) as Array<Block & { height: number; hash: string }>;
    expect(blocks.map((b) => b.height)).toEqual(Array.from({ length: height + 1 }, (_, i) => i));
    for (const b of blocks) expect(headerHash(b.header)).toBe(b.hash);
    for (let i = 1; i < blocks.length; i++) expect(blocks[i]!.header.prev).toBe(blocks[i - 1]!.hash);

    const verified = await runCairn(['chain', 'verify', '--data-dir', dir]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toContain(`chain verified: ${height} blocks`);

    // A restart resumes the same chain; --json prints one object per line.
    const again = start(['--mine', 'always', '--json']);
    await again.waitForLine(new RegExp(`"height":${height + 2}\\b`));
    expect(await again.kill('SIGINT')).toBe(0);
    const events = again.jsonLines<{ event: string; height: number; chainId?: string }>();
    expect(events[0]).toMatchObject({ event: 'started', height });
    expect(events.find((e) => e.event === 'block')!.height).toBe(height + 1);
    expect(events[events.length - 1]!.event).toBe('stopped');
  });

  it('with --json an error is one JSON line', async () => {
    const run = await runCairn(['node', 'start', '--data-dir', dir, '--fault', 'nosuch', '--json']);
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ error: { code: 'FAULT_UNKNOWN' } });
  });

  it('--transport none without an API runs until SIGINT and stops with 0', async () => {
    const node = start(['--transport', 'none', '--mine', 'off']);
    await node.waitForLine(/Ctrl-C stops$/);
    await new Promise((r) => setTimeout(r, 1500));
    expect(node.running, node.stdout + node.stderr).toBe(true);
    expect(await node.kill('SIGINT')).toBe(0);
    expect(node.stdout).toMatch(/^stopped \(SIGINT\) at height 0, tip [0-9a-f]{12}$/m);
    expect(node.stderr).toBe('');
  });

  it('refuses chain flags that name another chain than the data dir holds', async () => {
    const node = start(['--mine', 'always', '--difficulty', 'fixed', '--initial-target', EASY]);
    await node.waitForLine(/^block 1 /);
    expect(await node.kill('SIGTERM')).toBe(0);
    const other = await runCairn(['chain', 'show', '--data-dir', dir, '--difficulty', 'cs60']);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('STORE_FOREIGN');
    expect(other.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('chain verify names the block that fails and why', async () => {
    const node = start(['--mine', 'always', '--difficulty', 'fixed', '--initial-target', EASY]);
    await node.waitForLine(/^block 3 /);
    expect(await node.kill('SIGTERM')).toBe(0);

    // Damage the stored body of block 2: its nonce no longer seals it.
    const store = new LevelStore(path.join(dir, 'chain'));
    await store.start();
    const hash = JSON.parse((await store.get(key.height(2)))!) as string;
    const block = JSON.parse((await store.get(key.block(hash)))!) as Block;
    block.header.nonce += 1;
    await store.batch([{ type: 'put', key: key.block(hash), value: JSON.stringify(block) }]);
    await store.stop();

    const human = await runCairn(['chain', 'verify', '--data-dir', dir]);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(new RegExp(`block 2 \\(${hash.slice(0, 12)}\\) fails: .+ \\(BLOCK_[A-Z_]+\\)`));
    expect(human.stderr.trim().split('\n')).toHaveLength(1);

    const json = await runCairn(['chain', 'verify', '--data-dir', dir, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, height: 2, hash });
  });
});
