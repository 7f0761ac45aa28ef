import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PeersResponse, StatusResponse } from '../../src/plugins/http-api/index.js';
import { freeTcpPort } from '../support/ports.js';
import { CairnProcess, runCairn } from '../support/processes.js';

// One hash in 2^16 qualifies: several blocks a second on one core.
const EASY = '0000' + 'f'.repeat(60);
const CHAIN = ['--difficulty', 'fixed', '--initial-target', EASY];

let root: string;
const processes: CairnProcess[] = [];
let miner: { dataDir: string; api: string; address: string; chainId: string };
let follower: { dataDir: string; api: string };

function start(dataDir: string, args: string[]): CairnProcess {
  const p = new CairnProcess(['node', 'start', '--data-dir', dataDir, '--json', '--api-port', '0', ...CHAIN, ...args]);
  processes.push(p);
  return p;
}

async function startedLine(p: CairnProcess): Promise<{ api: string; address: string; chainId: string }> {
  return JSON.parse(await p.waitForLine(/"event":"started"/)) as { api: string; address: string; chainId: string };
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'cairn-status-'));
  // A mining node, and a node that only follows it (so it has a peer to list).
  const minerDir = path.join(root, 'miner');
  const a = start(minerDir, ['--mine', 'always']);
  miner = { dataDir: minerDir, ...(await startedLine(a)) };
  const followerDir = path.join(root, 'follower');
  const b = start(followerDir, ['--mine', 'off', '--peer', miner.address]);
  follower = { dataDir: followerDir, ...(await startedLine(b)) };
  await b.waitForLine(/"event":"block".*"height":3\b/, 30_000);
});

afterAll(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill('SIGTERM')));
  await rm(root, { recursive: true, force: true });
});

describe('cairn node status and node peers', () => {
  it('show a running node, by data dir or by URL, for people and for scripts', async () => {
    const json = await runCairn(['node', 'status', '--data-dir', follower.dataDir, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const status = JSON.parse(json.stdout) as StatusResponse;
    expect(status).toMatchObject({ chainId: miner.chainId, peers: 1, mining: 'off', rejections: {} });
    expect(status.height).toBeGreaterThanOrEqual(3);

    const human = await runCairn(['node', 'status', '--node', miner.api]);
    expect(human.code, human.stderr).toBe(0);
    const height = Number(/^height +(\d+)$/m.exec(human.stdout)?.[1]);
    expect(height).toBeGreaterThanOrEqual(status.height);
    expect(human.stdout).toContain(`chain       ${miner.chainId.slice(0, 12)}`);
    expect(human.stdout).toMatch(/^peers +1$/m);
    expect(human.stdout).toMatch(/^mining +always$/m);

    const peersJson = await runCairn(['node', 'peers', '--data-dir', follower.dataDir, '--json']);
    expect(peersJson.code, peersJson.stderr).toBe(0);
    const peers = JSON.parse(peersJson.stdout) as PeersResponse;
    expect(peers.banned).toEqual([]);
    expect(peers.peers).toHaveLength(1);
    expect(peers.peers[0]).toMatchObject({ peer: miner.address, ready: true, score: 0 });

    const peersHuman = await runCairn(['node', 'peers', '--node', follower.api]);
    expect(peersHuman.code, peersHuman.stderr).toBe(0);
    const [header, row] = peersHuman.stdout.trim().split('\n');
    expect(header).toMatch(/^peer +ready +height +score +rejections$/);
    expect(row).toMatch(new RegExp(`^${miner.address.replace(/\./g, '\\.')} +yes +\\d+ +0 +none$`));
  });

  it('say in one sentence that no node is running, and exit 1', async () => {
    const empty = path.join(root, 'nobody');
    const byDir = await runCairn(['node', 'status', '--data-dir', empty]);
    expect(byDir.code).toBe(1);
    expect(byDir.stdout).toBe('');
    expect(byDir.stderr.trim().split('\n')).toHaveLength(1);
    expect(byDir.stderr).toMatch(/^Error: no node is running on data dir .*nobody.*\(NODE_NOT_RUNNING\)$/m);

    const url = `http://127.0.0.1:${await freeTcpPort()}`;
    const byUrl = await runCairn(['node', 'peers', '--node', url, '--json']);
    expect(byUrl.code).toBe(1);
    expect(JSON.parse(byUrl.stdout)).toEqual({
      error: { code: 'NODE_NOT_RUNNING', message: `no node is running at ${url} (connection refused)` },
    });

    const bad = await runCairn(['node', 'status', '--node', 'localhost:8080']);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toMatch(/^Error: --node expects an http:\/\/ or https:\/\/ URL, not 'localhost:8080' \(CONFIG_INVALID\)$/);
  });
});
