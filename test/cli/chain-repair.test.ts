import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RepairReport } from '../../src/cli/chain-repair.js';
import { ApiClient } from '../../src/plugins/http-api/index.js';
import { CairnProcess, runCairn } from '../support/processes.js';
import { mountSmallDisk } from '../support/small-disk.js';
import { waitFor } from '../support/wait.js';

// One hash in 4,096: a block every few milliseconds.
const EASY = '000' + 'f'.repeat(61);
const CHAIN = ['--difficulty', 'fixed', '--initial-target', EASY];
const HEIGHT = 400;

/** Names and hashes of every file under `dir`: equal listings mean nothing was deleted, changed or made. */
function listing(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const file = path.join(dir, name);
    if (statSync(file).isFile()) out[name] = createHash('sha256').update(readFileSync(file)).digest('hex');
  }
  return out;
}

function expectOneSentence(stderr: string, code: string): void {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^Error: .*\\(${code}\\)$`));
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe('a damaged store, refused and then repaired with cairn chain repair', () => {
  let dir: string;
  let dataDir: string;
  const procs: CairnProcess[] = [];
  /** height → hash of every block the node printed (acknowledged). */
  let acknowledged: Map<number, string>;
  /** The tip height the miner stopped at (a little above HEIGHT: it mines on until the signal lands). */
  let top: number;

  /** A data dir with two runs of mining in it, copied for each test. */
  let template: string;

  beforeAll(async () => {
    template = mkdtempSync(path.join(tmpdir(), 'cairn-repair-template-'));
    acknowledged = new Map();
    // Two runs: each start turns the last run's write-ahead log into a table file, as for a node that ran a while.
    for (const height of [HEIGHT / 2, HEIGHT]) {
      const miner = new CairnProcess([
        'node',
        'start',
        '--data-dir',
        template,
        '--mine',
        'always',
        '--transport',
        'none',
        '--json',
        ...CHAIN,
      ]);
      procs.push(miner);
      await miner.waitForLine(new RegExp(`"event":"block".*"height":${height}\\b`), 60_000);
      await miner.kill('SIGTERM');
      for (const e of miner.jsonLines<{ event: string; height: number; hash: string }>()) {
        if (e.event === 'block') acknowledged.set(e.height, e.hash);
        if (e.event === 'stopped') top = e.height;
      }
    }
    expect(top).toBe(Math.max(...acknowledged.keys()));
    const again = await runCairn(['chain', 'show', '--data-dir', template, '--limit', '1']);
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(path.join(template, 'chain')).filter((n) => n.endsWith('.ldb')).length).toBeGreaterThanOrEqual(2);
  }, 90_000);

  afterAll(() => rmSync(template, { recursive: true, force: true }));

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cairn-repair-'));
    dataDir = path.join(dir, 'node');
    cpSync(template, dataDir, { recursive: true });
  });

  afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => p.kill('SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (args: string[] = []) =>
    runCairn(['node', 'start', '--data-dir', dataDir, '--transport', 'none', '--mine', 'off', ...args], { timeoutMs: 30_000 });

  it('CURRENT deleted: the node refuses in one sentence and changes nothing; repair brings every block back and the chain verifies', async () => {
    const store = path.join(dataDir, 'chain');
    unlinkSync(path.join(store, 'CURRENT'));
    const before = listing(store);

    const refused = await start();
    expect(refused.code).toBe(1);
    expectOneSentence(refused.stderr, 'STORE_DAMAGED');
    expect(refused.stderr).toContain('CURRENT file is missing');
    expect(refused.stderr).toContain('cairn chain repair');
    expect(refused.stdout).not.toContain('node on chain');
    expect(listing(store)).toEqual(before);

    // As if a read had found damage too: the marker must go only with a successful repair.
    writeFileSync(path.join(store, 'CAIRN-DAMAGED'), 'found earlier\n');
    const damaged = listing(store);
    const repaired = await runCairn(['chain', 'repair', '--data-dir', dataDir, '--json'], { timeoutMs: 60_000 });
    expect(repaired.code, repaired.stderr).toBe(0);
    const report = JSON.parse(repaired.stdout) as RepairReport;
    expect(report).toMatchObject({
      heightBefore: top,
      heightAfter: top,
      blocksLost: 0,
      unreadable: [],
      verified: true,
      tip: acknowledged.get(top),
    });
    expect(report.blocksSalvaged).toBe(top);
    // The damaged store is kept as it was (marker included), only moved; the new one has no marker.
    expect(listing(report.keptAt)).toEqual(damaged);
    expect(existsSync(path.join(store, 'CAIRN-DAMAGED'))).toBe(false);

    const verified = await runCairn(['chain', 'verify', '--data-dir', dataDir]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    const shown = await runCairn(['chain', 'show', '--data-dir', dataDir, '--json', '--limit', '100000']);
    const onChain = new Map((JSON.parse(shown.stdout) as Array<{ height: number; hash: string }>).map((b) => [b.height, b.hash]));
    for (const [height, hash] of acknowledged) expect(onChain.get(height), `block ${height}`).toBe(hash);
  }, 120_000);

  it('a truncated table file: refused, repaired to a verifying chain, and the node syncs what was lost from a peer', async () => {
    // The peer keeps the whole chain.
    const peerDir = path.join(dir, 'peer');
    cpSync(dataDir, peerDir, { recursive: true });
    const store = path.join(dataDir, 'chain');
    // The newest table: the second run's blocks.
    const table = readdirSync(store)
      .filter((n) => n.endsWith('.ldb'))
      .sort()
      .pop()!;
    truncateSync(path.join(store, table), Math.floor(statSync(path.join(store, table)).size / 3));
    const before = listing(store);

    const refused = await start();
    expect(refused.code).toBe(1);
    expectOneSentence(refused.stderr, 'STORE_DAMAGED');
    expect(refused.stderr).toContain(table);
    expect(listing(store)).toEqual(before);
    // Refused again: not a reset on the second try either.
    expect((await start()).code).toBe(1);

    const repaired = await runCairn(['chain', 'repair', '--data-dir', dataDir]);
    expect(repaired.code, repaired.stderr).toBe(0);
    // The records of the lost blocks went with the table: the height before is known only as a lower bound.
    expect(repaired.stdout).toContain(`could not read all of the damaged store: Table #${Number(table.slice(0, 6))}`);
    expect(repaired.stdout).toMatch(/height before at least \d+, after \d+/);
    expect(repaired.stdout).toContain('will sync the missing blocks from its peers');
    const heightAfter = Number(/after (\d+)/.exec(repaired.stdout)![1]);
    // The first run's blocks were in the other table: salvaged; the second run's are lost.
    expect(heightAfter).toBeGreaterThanOrEqual(HEIGHT / 2);
    expect(heightAfter).toBeLessThan(top);
    const verified = await runCairn(['chain', 'verify', '--data-dir', dataDir]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);

    const peer = new CairnProcess(['node', 'start', '--data-dir', peerDir, '--mine', 'off', '--port', '0', '--json', ...CHAIN]);
    procs.push(peer);
    const { address } = JSON.parse(await peer.waitForLine(/"event":"started"/)) as { address: string };
    const node = new CairnProcess([
      'node',
      'start',
      '--data-dir',
      dataDir,
      '--mine',
      'off',
      '--port',
      '0',
      '--api-port',
      '0',
      '--peer',
      address,
      '--json',
      ...CHAIN,
    ]);
    procs.push(node);
    const started = JSON.parse(await node.waitForLine(/"event":"started"/)) as { height: number; api: string };
    expect(started.height).toBe(heightAfter);
    const api = new ApiClient(started.api);
    await waitFor(`the repaired node to sync up to ${top}`, async () => (await api.status()).height === top, 30_000, 100);
    expect((await api.status()).tip).toBe(acknowledged.get(top));
  }, 120_000);

  it('rot in the write-ahead log: refused before LevelDB skips it, and repaired around the bad record', async () => {
    // Blocks that live only in the write-ahead log: mined, then kill -9.
    const miner = new CairnProcess(['node', 'start', '--data-dir', dataDir, '--mine', 'always', '--transport', 'none', '--json', ...CHAIN]);
    procs.push(miner);
    await miner.waitForLine(new RegExp(`"event":"block".*"height":${top + 100}\\b`), 60_000);
    await miner.kill('SIGKILL');
    const mined = Math.max(
      ...miner
        .jsonLines<{ event: string; height: number }>()
        .filter((e) => e.event === 'block')
        .map((e) => e.height),
    );
    const store = path.join(dataDir, 'chain');
    const log = path.join(
      store,
      readdirSync(store).find((n) => n.endsWith('.log'))!,
    );
    const bytes = readFileSync(log);
    // Rot inside one record in the middle of the log: its checksum fails.
    const at = bytes.indexOf('"txs":[]', Math.floor(bytes.length / 2));
    expect(at).toBeGreaterThan(0);
    bytes.fill(0x5a, at, at + 8);
    writeFileSync(log, bytes);
    const before = listing(store);

    const refused = await start();
    expect(refused.code).toBe(1);
    expectOneSentence(refused.stderr, 'STORE_DAMAGED');
    expect(refused.stderr).toMatch(/write-ahead log \d+\.log is unreadable/);
    // LevelDB would have dropped the record's whole 32 KiB block and deleted the log.
    expect(listing(store)).toEqual(before);

    const repaired = await runCairn(['chain', 'repair', '--data-dir', dataDir, '--json']);
    expect(repaired.code, repaired.stderr).toBe(0);
    const report = JSON.parse(repaired.stdout) as RepairReport;
    // LevelDB's repair reads logs without their checksums: the rotten body comes back as garbage and is dropped.
    expect(report.unreadable).toEqual(['1 record read back as garbage']);
    // Everything before the bad record is back; the block it held, and so its descendants, are lost.
    expect(report.heightAfter).toBeGreaterThanOrEqual(top);
    expect(report.heightAfter).toBeLessThan(mined);
    expect(report.blocksSalvaged).toBeGreaterThan(report.heightAfter);
    expect(listing(report.keptAt)).toEqual(before);
    const verified = await runCairn(['chain', 'verify', '--data-dir', dataDir]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
  }, 120_000);

  it('rot in a table file, found by a read: every start refuses until the repair', async () => {
    const store = path.join(dataDir, 'chain');
    const table = path.join(
      store,
      readdirSync(store)
        .filter((n) => n.endsWith('.ldb'))
        .sort()[0]!,
    );
    const bytes = readFileSync(table);
    bytes.fill(0x5a, 0, 4000);
    writeFileSync(table, bytes);

    // The sizes are right, so LevelDB opens; the chain's first scan reads the rotten block.
    const refused = await start();
    expect(refused.code).toBe(1);
    expectOneSentence(refused.stderr, 'STORE_DAMAGED');
    const again = await start();
    expectOneSentence(again.stderr, 'STORE_DAMAGED');

    const repaired = await runCairn(['chain', 'repair', '--data-dir', dataDir, '--json']);
    expect(repaired.code, repaired.stderr).toBe(0);
    const report = JSON.parse(repaired.stdout) as RepairReport;
    expect(report.heightAfter).toBeLessThanOrEqual(top);
    const verified = await runCairn(['chain', 'verify', '--data-dir', dataDir]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    const restarted = new CairnProcess(['node', 'start', '--data-dir', dataDir, '--transport', 'none', '--mine', 'off', '--json']);
    procs.push(restarted);
    const started = JSON.parse(await restarted.waitForLine(/"event":"started"/)) as { height: number };
    expect(started.height).toBe(report.heightAfter);
  }, 120_000);

  it('a repair that cannot finish (no room for its copy) changes nothing and keeps the marker', async (ctx) => {
    const disk = mountSmallDisk(4);
    if ('skip' in disk) return ctx.skip(disk.skip);
    try {
      const onDisk = path.join(disk.dir, 'node');
      cpSync(dataDir, onDisk, { recursive: true });
      const store = path.join(onDisk, 'chain');
      unlinkSync(path.join(store, 'CURRENT'));
      writeFileSync(path.join(store, 'CAIRN-DAMAGED'), 'test\n');
      await disk.fill(64 * 1024);
      const before = listing(onDisk);
      const failed = await runCairn(['chain', 'repair', '--data-dir', onDisk]);
      expect(failed.code).toBe(1);
      expectOneSentence(failed.stderr, 'STORE_FULL');
      // The filler aside, the data dir is as it was: no scratch copy left, the store and its marker untouched.
      expect(listing(onDisk)).toEqual(before);
    } finally {
      disk.remove();
    }
  }, 60_000);

  it('refuses to repair while a node runs on the data dir, and touches nothing', async () => {
    const node = new CairnProcess(['node', 'start', '--data-dir', dataDir, '--mine', 'off', '--transport', 'none', '--json', ...CHAIN]);
    procs.push(node);
    await node.waitForLine(/"event":"started"/);
    const before = readdirSync(dataDir).sort();
    const refused = await runCairn(['chain', 'repair', '--data-dir', dataDir]);
    expect(refused.code).toBe(1);
    expectOneSentence(refused.stderr, 'STORE_LOCKED');
    expect(refused.stderr).toContain('stop the node');
    expect(readdirSync(dataDir).sort()).toEqual(before);
    expect(node.running).toBe(true);
  }, 60_000);
});
