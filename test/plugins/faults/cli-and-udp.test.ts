import { afterEach, describe, expect, it } from 'vitest';
import type { CairnNode } from '../../../src/kernel/index.js';
import { faults } from '../../../src/plugins/faults/index.js';
import { trackerDiscovery } from '../../../src/plugins/tracker/index.js';
import { udpTransport } from '../../../src/plugins/transport-udp/index.js';
import { EASY_TARGET, extend, startNode, tempDir } from '../../support/chain-fixture.js';
import { isBanned, rejectionsFrom } from '../../support/fault-net.js';
import { CairnProcess, runCairn } from '../../support/processes.js';
import { waitFor } from '../../support/wait.js';

describe('faults: command line and UDP', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  it('faults list names every fault with its usage and the honest reaction; a bad --fault is one sentence and exit 1', async () => {
    const list = await runCairn(['faults', 'list', '--json']);
    expect(list.code).toBe(0);
    const faultsListed = JSON.parse(list.stdout) as Array<{ name: string; usage: string; honestReaction: string }>;
    expect(faultsListed.map((f) => f.name)).toEqual(expect.arrayContaining(['bad-pow', 'broken-link', 'drop', 'crash-mid-write']));
    expect(faultsListed.find((f) => f.name === 'delay')!.usage).toBe('delay=MS[±J]');
    for (const f of faultsListed) expect(f.honestReaction.length).toBeGreaterThan(10);

    const dir = tempDir();
    cleanup.push(() => dir.remove());
    for (const [fault, expected] of [
      ['no-such-fault', /unknown fault 'no-such-fault'; the faults are: bad-pow, broken-link/],
      ['drop=1.5', /--fault drop: '1.5' is not a probability/],
    ] as const) {
      const run = await runCairn(['node', 'start', '--data-dir', dir.path, '--fault', fault]);
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(expected);
    }
  }, 30_000);

  it.each([
    ['crash-mid-write=5', /"fault":"crash-mid-write","batch":5,.*in the middle of a store write/, 0],
    ['crash-while-mining=2', /"fault":"crash-while-mining","mined":2,.*while it mines/, 2],
  ] as const)(
    '%s: the node kills itself with SIGKILL where the fault says, its store still verifies, and it starts again on it',
    async (fault, line, minHeight) => {
      const dir = tempDir();
      cleanup.push(() => dir.remove());
      const chain = ['--difficulty', 'fixed', '--initial-target', EASY_TARGET];
      const args = ['node', 'start', '--data-dir', dir.path, '--transport', 'none', ...chain];
      const node = new CairnProcess([...args, '--mine', 'always', '--fault', fault]);
      cleanup.push(() => node.kill('SIGKILL'));
      await node.waitForLine(/^faults: /);
      await waitFor('the node to kill itself', () => !node.running, 20_000);
      // Killed by its own fault at its point (its last log line says which), not by anything else.
      expect(node.child.signalCode).toBe('SIGKILL');
      await waitFor('the rest of its log', () => line.test(node.stderr), 5_000).catch(() => undefined);
      expect(node.stderr.trim().split('\n').at(-1), node.stderr.slice(-2000)).toMatch(line);
      const verify = await runCairn(['chain', 'verify', '--data-dir', dir.path, ...chain, '--json']);
      expect(verify.code, verify.stderr).toBe(0);
      const verified = JSON.parse(verify.stdout) as { height: number };
      expect(verified.height).toBeGreaterThanOrEqual(minHeight);

      // Restarted without the fault, it opens the store as the crash left it, mines on, and stops cleanly.
      const again = new CairnProcess([...args, '--mine', 'always', '--json']);
      cleanup.push(() => again.kill('SIGKILL'));
      const started = JSON.parse(await again.waitForLine(/"event":"started"/, 20_000)) as { height: number };
      expect(started.height).toBe(verified.height);
      expect(await again.kill('SIGTERM')).toBe(0);
    },
    40_000,
  );

  it('over UDP: a node sending bad proof of work is counted and banned by a real-socket peer', async () => {
    const honest: CairnNode = await startNode({ plugins: [udpTransport({ port: 0 }), trackerDiscovery({})] });
    cleanup.push(() => honest.stop());
    await extend(honest, 2);
    const faulty: CairnNode = await startNode({
      plugins: [
        udpTransport({ port: 0 }),
        trackerDiscovery({ peers: [honest.transportAddress()!] }),
        faults({ faults: ['bad-pow'], seed: 1 }),
      ],
    });
    cleanup.push(() => faulty.stop());
    const key = faulty.transportAddress()!;
    await waitFor('the forger banned over UDP', () => isBanned(honest, key), 15_000);
    expect(rejectionsFrom(honest, key).BLOCK_BAD_POW).toBeGreaterThan(0);
    expect(honest.chain.tip().height).toBe(2);
  }, 30_000);

  it('pause: the whole process stops for the given time, then carries on', async () => {
    const node = await startNode({ plugins: [faults({ faults: ['pause=400@100'] })] });
    cleanup.push(() => node.stop());
    let longest = 0;
    let last = Date.now();
    const timer = setInterval(() => {
      longest = Math.max(longest, Date.now() - last);
      last = Date.now();
    }, 10);
    cleanup.push(() => clearInterval(timer));
    await waitFor('the pause to pass', () => longest >= 400, 5_000);
    await extend(node, 1);
    expect(node.chain.tip().height).toBe(1);
  });
});
