import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { container as rootContainer } from 'tsyringe';
import { afterEach, describe, expect, it } from 'vitest';
import { headerHash, type BlockHeader } from '../../../src/kernel/block.js';
import { parseNodeConfig } from '../../../src/kernel/config.js';
import { ZERO_HASH } from '../../../src/kernel/hash.js';
import type { ChainParams } from '../../../src/kernel/params.js';
import { PluginRegistry } from '../../../src/kernel/plugin.js';
import type { Consensus } from '../../../src/kernel/services.js';
import { CONSENSUS, LOGGER } from '../../../src/kernel/tokens.js';
import { PowConsensus, powConsensus } from '../../../src/plugins/consensus-pow/index.js';
import { MINER_SOURCE } from '../../../src/plugins/consensus-pow/miner-source.js';
import { waitFor } from '../../support/wait.js';

const EASY = '000' + 'f'.repeat(61);
const IMPOSSIBLE = '0'.repeat(64);
const consensusParams: ChainParams['consensus'] = { policy: 'fixed', blockTimeMs: 1000, initialTarget: EASY, halfLifeMs: 60_000 };

function template(target: string, nonce = 0): BlockHeader {
  return { version: 1, height: 1, prev: 'ab'.repeat(32), txRoot: ZERO_HASH, time: Date.now(), target, nonce };
}

/** Gone means reaped, or a zombie waiting for an init that does not reap. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return true;
  }
}

async function waitUntilGone(pids: number[], ms: number): Promise<number[]> {
  await waitFor(`miners ${pids.join(', ')} to exit`, () => !pids.some(isAlive), ms).catch(() => undefined);
  return pids.filter(isAlive);
}

/** CPU time a process has used, in clock ticks (utime + stime of /proc/PID/stat). */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * Resolves once each process has used `ticks` more clock ticks of CPU (10 ms each on Linux)
 * than when called: a miner that has its job is hashing flat out, an idle one uses none. Call
 * it once the miners are up and idle (after a first seal), so their start-up does not count.
 */
async function whileHashing(pids: number[], ticks = 3): Promise<void> {
  const from = new Map(pids.map((pid) => [pid, cpuTicks(pid)]));
  await waitFor('the miners to be hashing', () => pids.every((pid) => cpuTicks(pid) >= from.get(pid)! + ticks), 10_000, 10);
}

/** A miner pool that is up and has answered a job: its next seal is hashed at once. */
async function warm(pow: PowConsensus): Promise<number[]> {
  await pow.seal(template(EASY), new AbortController().signal);
  return pow.minerPids;
}

const engines: PowConsensus[] = [];
function engine(miners = 2): PowConsensus {
  const pow = new PowConsensus({ consensus: consensusParams, miners });
  engines.push(pow);
  return pow;
}

afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.stop()));
});

describe('sealing in miner processes', () => {
  it('finds a nonce whose header hash meets the target; a tampered nonce does not', async () => {
    const pow = engine(2);
    const header = template(EASY);
    const sealed = await pow.seal(header, new AbortController().signal);
    expect(sealed).not.toBeNull();
    const { nonce, ...rest } = sealed!;
    const { nonce: _start, ...original } = header;
    expect(rest).toEqual(original);
    expect(headerHash(sealed!) <= EASY).toBe(true);
    expect(pow.checkSeal(sealed!, headerHash(sealed!))).toBe(true);
    // Almost every other nonce misses an easy target too; take the first one that does.
    let tampered = { ...sealed!, nonce: nonce + 1 };
    while (headerHash(tampered) <= EASY) tampered = { ...tampered, nonce: tampered.nonce + 1 };
    expect(pow.checkSeal(tampered, headerHash(tampered))).toBe(false);
    expect(pow.hashes).toBeGreaterThan(0);
  });

  it('seals again and again with the same miners, continuing from the header nonce', async () => {
    const pow = engine(2);
    const first = await pow.seal(template(EASY), new AbortController().signal);
    const pids = pow.minerPids;
    const again = await pow.seal({ ...first!, nonce: first!.nonce + 1 }, new AbortController().signal);
    expect(again!.nonce).toBeGreaterThan(first!.nonce);
    expect(headerHash(again!) <= EASY).toBe(true);
    expect(pow.minerPids).toEqual(pids);
  });

  it('resolves null soon after an abort, and the miners go quiet', async () => {
    const pow = engine(2);
    const pids = await warm(pow);
    const controller = new AbortController();
    const sealing = pow.seal(template(IMPOSSIBLE), controller.signal);
    await whileHashing(pids);
    const t0 = performance.now();
    controller.abort();
    expect(await sealing).toBeNull();
    const resolvedMs = performance.now() - t0;
    await pow.minersIdle();
    const quietMs = performance.now() - t0;
    expect(resolvedMs).toBeLessThan(500);
    expect(quietMs).toBeLessThan(500);
  });

  it('returns null at once for an already aborted signal', async () => {
    const pow = engine(1);
    const controller = new AbortController();
    controller.abort();
    expect(await pow.seal(template(EASY), controller.signal)).toBeNull();
    expect(pow.minerPids).toEqual([]);
  });

  it('abandons the seal in hand when a new one starts', async () => {
    const pow = engine(2);
    const pids = await warm(pow);
    const old = pow.seal(template(IMPOSSIBLE), new AbortController().signal);
    await whileHashing(pids);
    const fresh = pow.seal(template(EASY), new AbortController().signal);
    expect(await old).toBeNull();
    expect(headerHash((await fresh)!) <= EASY).toBe(true);
  });

  it('leaves no miner process behind after stop(), which may be called twice', async () => {
    const pow = engine(2);
    const pids = await warm(pow);
    const sealing = pow.seal(template(IMPOSSIBLE), new AbortController().signal);
    await whileHashing(pids);
    expect(pids).toHaveLength(2);
    expect(pids.every(isAlive)).toBe(true);
    await pow.stop();
    await pow.stop();
    expect(await sealing).toBeNull();
    expect(pow.minerPids).toEqual([]);
    expect(await waitUntilGone(pids, 2000)).toEqual([]);
  });

  it('reports a miner that dies mid-seal as an error, and recovers on the next seal', async () => {
    const pow = engine(1);
    const pids = await warm(pow);
    const sealing = pow.seal(template(IMPOSSIBLE), new AbortController().signal);
    await whileHashing(pids);
    process.kill(pids[0]!, 'SIGKILL');
    await expect(sealing).rejects.toMatchObject({ code: 'MINER_EXITED' });
    expect(headerHash((await pow.seal(template(EASY), new AbortController().signal))!) <= EASY).toBe(true);
  });
});

describe('miner processes and their parent', () => {
  it('a miner exits when its parent is killed with SIGKILL mid-search', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-pow-'));
    const minerPids: number[] = [];
    let parent: ReturnType<typeof spawn> | undefined;
    try {
      writeFileSync(join(dir, 'miner.js'), MINER_SOURCE);
      writeFileSync(
        join(dir, 'parent.cjs'),
        `const { spawn } = require('node:child_process');
const source = require('node:fs').readFileSync(${JSON.stringify(join(dir, 'miner.js'))}, 'utf8');
const miner = spawn(process.execPath, ['-e', source, '10'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
// A job any hash meets first: its answer shows the miner is up; then one no hash meets.
miner.once('message', () => {
  miner.send({ t: 'job', id: 2, header: '00'.repeat(118), target: '0'.repeat(64), start: 0, stride: 1 });
  process.stdout.write(miner.pid + '\\n');
});
miner.send({ t: 'job', id: 1, header: '00'.repeat(118), target: 'f'.repeat(64), start: 0, stride: 1 });
setInterval(() => {}, 1000);`,
      );
      parent = spawn(process.execPath, [join(dir, 'parent.cjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
      const line = await new Promise<string>((resolve) => parent!.stdout!.once('data', (d: Buffer) => resolve(d.toString())));
      minerPids.push(Number(line.trim()));
      await whileHashing(minerPids);
      expect(isAlive(minerPids[0]!)).toBe(true);
      parent.kill('SIGKILL');
      expect(await waitUntilGone(minerPids, 3000)).toEqual([]);
    } finally {
      parent?.kill('SIGKILL');
      for (const pid of minerPids.filter(isAlive)) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the consensus-pow plugin', () => {
  it('registers one engine per node container, built from the chain parameters and config', async () => {
    const registry = new PluginRegistry().add('consensus-pow', powConsensus);
    const plugin = registry.create('consensus-pow');
    expect(plugin.name).toBe('consensus-pow');
    expect(plugin.provides).toEqual([CONSENSUS]);
    const config = parseNodeConfig({ dataDir: '/nonexistent', miners: 2 });
    const params: ChainParams = {
      network: 'test',
      apps: [],
      consensus: { ...consensusParams, policy: 'cs60' },
      timestamp: 0,
      appParams: {},
    };
    const nodes = [rootContainer.createChildContainer(), rootContainer.createChildContainer()];
    const resolved = nodes.map((c) => {
      c.register(LOGGER, { useValue: pino({ level: 'silent' }) });
      plugin.register(c, { config, params });
      return c.resolve<Consensus>(CONSENSUS);
    });
    expect(resolved[0]).toBe(nodes[0]!.resolve(CONSENSUS));
    expect(resolved[0]).not.toBe(resolved[1]);
    expect(resolved[0]!.policy).toBe('cs60');
    const pow = resolved[0] as PowConsensus;
    engines.push(pow, resolved[1] as PowConsensus);
    await pow.seal(template(EASY), new AbortController().signal);
    expect(pow.minerPids).toHaveLength(2);
  });
});
