import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { castBallot } from '../../src/apps/voting/index.js';
import { generateKeyPair, privateKeyFromHex, signTx } from '../../src/kernel/index.js';
import { ApiClient } from '../../src/plugins/http-api/index.js';
import { alive, tcpPortFree, udpPortFree } from '../support/ports.js';
import { CairnProcess, runCairn } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

interface StartedLine {
  event: 'started';
  dir: string;
  chainId: string;
  tracker: string;
  trackerPid: number;
  nodes: Array<{ index: number; dataDir: string; api: string; address: string; pid: number }>;
}

const processes: CairnProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill('SIGKILL')));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

function devnet(args: string[]): CairnProcess {
  const p = new CairnProcess(['devnet', ...args]);
  processes.push(p);
  return p;
}

/** Direct children of `pid`, from /proc (the nodes' miner processes). */
function childrenOf(pid: number): number[] {
  if (!existsSync('/proc')) return [];
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces, so split after its closing parenthesis.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return found;
}

const port = (hostPort: string) => Number(hostPort.slice(hostPort.lastIndexOf(':') + 1));

describe('cairn devnet', () => {
  it('runs 3 connected nodes on one chain, relays a mined ballot to all, and leaves nothing behind on SIGTERM', async () => {
    const net = devnet(['--json', '--no-demo']);
    const started = JSON.parse(await net.waitForLine(/"event":"started"/, 90_000)) as StartedLine;
    expect(started.nodes.map((n) => n.index)).toEqual([0, 1, 2]);
    expect(path.basename(started.dir)).toMatch(/^cairn-devnet-/);
    expect(existsSync(path.join(started.dir, 'genesis.json'))).toBe(true);
    const clients = started.nodes.map((n) => ApiClient.fromDataDir(n.dataDir));

    // Every node on the devnet's chain, each connected to both others.
    await waitFor(
      'every node to have 2 peers',
      async () => {
        const statuses = await Promise.all(clients.map(async (c) => (await c).status()));
        return statuses.every((s) => s.chainId === started.chainId && s.peers >= 2);
      },
      30_000,
      200,
    );

    // A ballot sent to node 1 is mined (on demand) and reaches every node.
    const voter = generateKeyPair();
    const tx = signTx(started.chainId, { ...castBallot('default', 'alice'), from: voter.publicKey, nonce: 0 }, privateKeyFromHex(voter));
    const { id } = await (await clients[1]!).submitTx(tx);
    await waitFor(
      'the ballot to be confirmed on every node',
      // A node the ballot has not reached yet does not know it (TX_UNKNOWN).
      async () =>
        (await Promise.all(clients.map(async (c) => (await c).txStatus(id).catch(() => undefined)))).every(
          (s) => s?.status === 'confirmed',
        ),
      30_000,
      50,
    );

    const nodePids = started.nodes.map((n) => n.pid);
    const minerPids = nodePids.flatMap(childrenOf);
    expect(minerPids.length, 'miner processes of the nodes').toBeGreaterThan(0);
    const pids = [net.child.pid!, started.trackerPid, ...nodePids, ...minerPids];
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(true);

    expect(await net.kill('SIGTERM')).toBe(0);
    const lines = net.jsonLines<{ event: string; signal?: string; removed?: boolean }>();
    expect(lines[lines.length - 1]).toMatchObject({ event: 'stopped', signal: 'SIGTERM', removed: true });
    expect(lines.filter((l) => l.event === 'exited')).toEqual([]);
    for (const pid of pids) expect(alive(pid), `pid ${pid} still alive`).toBe(false);
    for (const n of started.nodes) {
      expect(await tcpPortFree(port(n.api)), `api port of node ${n.index}`).toBe(true);
      expect(await udpPortFree(port(n.address)), `udp port of node ${n.index}`).toBe(true);
    }
    expect(await tcpPortFree(port(started.tracker)), 'tracker port').toBe(true);
    expect(existsSync(started.dir)).toBe(false);
  });

  it('leaves no process behind when the devnet itself is killed with SIGKILL', async () => {
    // Its children run in their own process group: a killed devnet once left them running for good.
    const net = devnet(['--json', '--no-demo', '--nodes', '2']);
    const started = JSON.parse(await net.waitForLine(/"event":"started"/, 90_000)) as StartedLine;
    const pids = [started.trackerPid, ...started.nodes.map((n) => n.pid)];
    expect(pids.every(alive)).toBe(true);
    await net.kill('SIGKILL');
    await waitFor('every child of the killed devnet to exit', () => !pids.some(alive), 15_000, 100);
    // They stopped as on SIGHUP, cleanly: each node's log ends with its stop.
    for (const n of started.nodes) {
      const log = readFileSync(path.join(n.dataDir, 'node.log'), 'utf8').trim().split('\n');
      expect(JSON.parse(log.at(-1)!)).toMatchObject({ msg: 'node stopped' });
    }
    dirs.push(started.dir);
  });

  it('says when a node dies, stops on Ctrl-C, and keeps a --dir', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cairn-devnet-test-'));
    dirs.push(dir);
    const net = devnet(['--nodes', '2', '--dir', dir, '--no-demo']);
    const line = await net.waitForLine(/^node 1 +api /, 90_000);
    const api = /api (http:\/\/\S+)/.exec(line)![1]!;
    expect(net.stdout).toMatch(/^tracker 127\.0\.0\.1:\d+$/m);
    // No terminal: a status line per node, printed when it changes.
    await net.waitForLine(/^node 1 +height +0 +tip [0-9a-f]{12} +peers +1\b/, 30_000);

    expect((await new ApiClient(api).status()).peers).toBe(1);

    const node1 = childrenOf(net.child.pid!).find((pid) =>
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(path.join(dir, 'node-1')),
    );
    expect(node1, 'the process of node 1').toBeDefined();
    process.kill(node1!, 'SIGKILL');
    await net.waitForLine(/^node 1 exited unexpectedly: killed by SIGKILL/, 10_000);
    await net.waitForLine(/^node 1 +exited$/, 10_000);
    expect(net.running).toBe(true);

    expect(await net.kill('SIGINT')).toBe(0);
    expect(net.stdout).toContain(`stopped (SIGINT): every devnet process has exited; data kept in ${dir}`);
    expect(readdirSync(dir).sort()).toEqual(['genesis.json', 'node-0', 'node-1', 'tracker.log']);
    expect(net.stderr).toBe('');

    // Each child wrote its own log, one JSON object per line, at info: its start, its peer, its stop.
    const logOf = (file: string) =>
      readFileSync(path.join(dir, file), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { level: number; msg: string; [k: string]: unknown });
    const node0 = logOf('node-0/node.log');
    const started = node0.filter((l) => l.msg === 'node started');
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({
      level: 30,
      height: 0,
      address: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      api: expect.any(String),
    });
    expect(node0.filter((l) => l.msg === 'peer connected')).toHaveLength(1);
    expect(node0[node0.length - 1]!.msg).toBe('node stopped');
    expect(logOf('node-1/node.log').map((l) => l.msg)).toEqual(expect.arrayContaining(['node started', 'peer connected']));
    const tracker = logOf('tracker.log').map((l) => l.msg);
    expect(tracker[0]).toBe('tracker listening');
    expect(tracker.filter((m) => m === 'peer registered')).toHaveLength(2);
    expect(tracker).toContain('peer left');
  });

  it('--demo casts ballots through the nodes, prints the tally they agree on, and exits 0 leaving nothing behind', async () => {
    const run = await runCairn(['devnet', '--demo', '--json', '--nodes', '2'], { timeoutMs: 150_000 });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; [k: string]: unknown });
    expect(lines.map((l) => l.event)).toEqual(['started', 'demo', 'stopped']);
    const started = lines[0] as unknown as StartedLine;
    const demo = lines[1] as unknown as { agreed: boolean; refused: Array<{ code: string }>; nodes: Array<{ agrees: boolean }> };
    expect(demo.agreed).toBe(true);
    expect(demo.nodes.map((n) => n.agrees)).toEqual([true, true]);
    expect(demo.refused.map((r) => r.code)).toEqual(['BALLOT_DUPLICATE']);
    for (const pid of [started.trackerPid, ...started.nodes.map((n) => n.pid)]) expect(alive(pid), `pid ${pid}`).toBe(false);
    expect(existsSync(started.dir)).toBe(false);
  });

  it("says in its failure line the node's own error, and its log keeps it", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cairn-devnet-test-'));
    dirs.push(dir);
    const run = await runCairn(['devnet', '--no-demo', '--nodes', '2', '--malicious', '1', '--fault', 'nosuch', '--dir', dir], {
      timeoutMs: 90_000,
    });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toMatch(
      /^Error: node 1 failed to start: unknown fault 'nosuch'; the faults are: .+ \(FAULT_UNKNOWN\) \(DEVNET_START_FAILED\)$/,
    );
    expect(readFileSync(path.join(dir, 'node-1', 'node.log'), 'utf8')).toContain('"code":"FAULT_UNKNOWN"');
  });

  it('a second devnet on the same --dir says the first one holds it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cairn-devnet-test-'));
    dirs.push(dir);
    const first = devnet(['--nodes', '1', '--dir', dir, '--no-demo']);
    await first.waitForLine(/^node 0 +api /, 90_000);
    const second = await runCairn(['devnet', '--no-demo', '--nodes', '1', '--dir', dir], { timeoutMs: 90_000 });
    expect(second.code).toBe(1);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr.trim()).toMatch(
      /^Error: node 0 failed to start: the store at .+ is already open elsewhere: .+ \(STORE_LOCKED\) \(DEVNET_START_FAILED\)$/,
    );
    expect(second.stderr).not.toContain('exit code 1');
    expect(await first.kill('SIGINT')).toBe(0);
  });

  it('refuses bad flags in one sentence', async () => {
    const zero = await runCairn(['devnet', '--nodes', '0']);
    expect(zero.code).toBe(1);
    expect(zero.stderr.trim()).toBe('Error: --nodes must be a whole number from 1 to 32, not 0 (CONFIG_INVALID)');
    const malicious = await runCairn(['devnet', '--malicious', '1', '--json']);
    expect(malicious.code).toBe(1);
    expect(JSON.parse(malicious.stdout)).toMatchObject({ error: { code: 'CONFIG_INVALID' } });
  });
});
