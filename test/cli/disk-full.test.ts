import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { castBallot, DEVNET_VOTING_PARAMS } from '../../src/apps/voting/index.js';
import { genesisFileFor, paramsFromFlags } from '../../src/kernel/chain-params.js';
import { chainIdOf, generateKeyPair, privateKeyFromHex, signTx, txId, type Tx } from '../../src/kernel/index.js';
import { ApiClient, ApiError, type StatusResponse } from '../../src/plugins/http-api/index.js';
import { CairnProcess, runCairn } from '../support/processes.js';
import { injectedFull, mountSmallDisk, type SmallDisk } from '../support/small-disk.js';
import { waitFor } from '../support/wait.js';

// One hash in 4,096: a block every few milliseconds.
const EASY = '000' + 'f'.repeat(61);
const CHAIN = ['--difficulty', 'fixed', '--initial-target', EASY];
/** About 1.5 MB of store: several times what is left free for the syncing node. */
const PEER_HEIGHT = 1500;

/**
 * A node whose disk fills up: on a tmpfs of our own where mount(8) works (root), else with the
 * disk-full fault, which makes the store refuse every write with ENOSPC while a file exists.
 * Either way the node must pause, say so, lose nothing it acknowledged, and resume by itself.
 */
interface FullDisk {
  /** Where the node's data dir goes. */
  dataDir: string;
  /** `node start` arguments the node needs (the fault, without a tmpfs). */
  args: string[];
  /** Makes the disk full (tmpfs: all but `leaveBytes`). */
  fill(leaveBytes?: number): Promise<void>;
  free(): Promise<void>;
  remove(): void;
  how: string;
}

function fullDisk(name: string): FullDisk {
  const mounted = mountSmallDisk(32);
  if (!('skip' in mounted)) {
    const disk: SmallDisk = mounted;
    return {
      dataDir: path.join(disk.dir, name),
      args: [],
      fill: (leave) => disk.fill(leave),
      free: () => disk.unfill(),
      remove: () => disk.remove(),
      how: 'a 32 MiB tmpfs',
    };
  }
  console.warn(`disk-full test: ${mounted.skip}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-full-'));
  const flag = injectedFull(dir);
  return {
    dataDir: path.join(dir, name),
    args: ['--fault', `disk-full=${flag.flag}`],
    fill: async () => flag.fill(),
    free: async () => flag.unfill(),
    remove: () => rmSync(dir, { recursive: true, force: true }),
    how: 'the disk-full fault',
  };
}

const procs: CairnProcess[] = [];
const dirs: string[] = [];

const killAll = () => Promise.all(procs.splice(0).map((p) => p.kill('SIGKILL')));
afterEach(killAll);

/** Runs `body` on a fresh full disk; its processes are killed and the disk unmounted however it ends. */
async function onFullDisk(name: string, body: (disk: FullDisk) => Promise<void>): Promise<void> {
  const disk = fullDisk(name);
  try {
    await body(disk);
  } finally {
    await killAll();
    disk.remove();
  }
}

afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function start(args: string[]): CairnProcess {
  const proc = new CairnProcess(['node', 'start', '--json', ...args]);
  procs.push(proc);
  return proc;
}

/** Lines of a process's stderr (pino JSON at --log-level warn) that say the store stopped or resumed. */
function storeLogLines(proc: CairnProcess): { paused: number; resumed: number; stackTraces: number } {
  const lines = proc.stderr.split('\n');
  return {
    paused: lines.filter((l) => l.includes('store unavailable')).length,
    resumed: lines.filter((l) => l.includes('store writable again')).length,
    stackTraces: lines.filter((l) => /^\s+at /.test(l) || l.includes('Uncaught') || l.includes('unhandled')).length,
  };
}

describe('a node whose disk fills up', () => {
  let peerDir: string;
  let peerTip: string;

  beforeAll(async () => {
    peerDir = mkdtempSync(path.join(tmpdir(), 'cairn-full-peer-'));
    dirs.push(peerDir);
    const miner = start(['--data-dir', peerDir, '--mine', 'always', '--transport', 'none', ...CHAIN]);
    await miner.waitForLine(new RegExp(`"event":"block".*"height":${PEER_HEIGHT}\\b`), 90_000);
    await miner.kill('SIGTERM');
    const stopped = miner.jsonLines<{ event: string; height: number; tip: string }>().find((e) => e.event === 'stopped')!;
    peerTip = stopped.tip;
    expect(stopped.height).toBeGreaterThanOrEqual(PEER_HEIGHT);
  }, 120_000);

  it(
    'while syncing: stays up, says so once, serves reads, and reaches the peer tip once space returns',
    () =>
      onFullDisk('node', async (disk) => {
        const peer = start(['--data-dir', peerDir, '--mine', 'off', '--port', '0', '--api-port', '0', ...CHAIN]);
        const { address, height: peerHeight } = JSON.parse(await peer.waitForLine(/"event":"started"/)) as {
          address: string;
          height: number;
        };

        // On the tmpfs, all but 400 KiB is taken before the node starts: its sync runs into ENOSPC
        // part way through. With the fault, the disk "fills" once the first blocks are stored.
        if (disk.args.length === 0) await disk.fill(400 * 1024);
        const node = start([
          '--data-dir',
          disk.dataDir,
          '--mine',
          'off',
          '--port',
          '0',
          '--api-port',
          '0',
          '--peer',
          address,
          ...disk.args,
          ...CHAIN,
        ]);
        const started = JSON.parse(await node.waitForLine(/"event":"started"/)) as { api: string };
        const api = new ApiClient(started.api);
        if (disk.args.length > 0) {
          await waitFor('the first synced blocks', async () => (await api.status()).height > 0, 30_000, 50);
          await disk.fill();
        }

        await node.waitForLine(/"event":"store","writable":false/, 60_000);
        const paused = await api.status();
        expect(node.running).toBe(true);
        expect(paused.store).toMatchObject({ writable: false, code: 'STORE_FULL', retrying: true });
        expect(paused.height, disk.how).toBeLessThan(peerHeight);
        // Part of the chain was stored before the disk filled: it must all be there at the end (chain verify below).
        expect(paused.height).toBeGreaterThan(0);
        // Reads go on: the API serves the blocks it has, the status says why nothing moves.
        const blocks = await api.blocks(0, 10);
        expect(blocks.blocks.length).toBeGreaterThan(0);
        const human = await runCairn(['node', 'status', '--node', started.api]);
        expect(human.stdout).toMatch(/^store +NOT WRITABLE for \d+\w? \(STORE_FULL\): mining, sync and new transactions paused/m);
        const json = JSON.parse((await runCairn(['node', 'status', '--node', started.api, '--json'])).stdout) as StatusResponse;
        expect(json.store).toMatchObject({ writable: false, code: 'STORE_FULL' });
        // Stays paused (and alive) across probes while the disk is still full: nothing moves. That
        // nothing happens can only be seen over time: two probe intervals, as the node measures them.
        await waitFor('the pause to outlast two probes', async () => Date.now() - (await api.status()).store.since! > 4500, 15_000, 200);
        expect((await api.status()).height).toBe(paused.height);
        expect(node.running).toBe(true);

        await disk.free();
        await node.waitForLine(/"event":"store","writable":true/, 30_000);
        await waitFor(
          `the node to reach the peer's tip ${peerHeight}`,
          async () => (await api.status()).height === peerHeight,
          60_000,
          100,
        );
        expect((await api.status()).tip).toBe(peerTip);
        expect(storeLogLines(node)).toEqual({ paused: 1, resumed: 1, stackTraces: 0 });

        await node.kill('SIGTERM');
        const verified = await runCairn(['chain', 'verify', '--data-dir', disk.dataDir, ...CHAIN]);
        expect(verified.code, verified.stdout + verified.stderr).toBe(0);
        expect(verified.stdout).toContain(`${peerHeight} blocks after genesis`);
      }),
    180_000,
  );

  it(
    'during ballot submission: 503 STORE_FULL, the ballot is not kept, and the retry once space returns is counted once',
    () =>
      onFullDisk('voter', async (disk) => {
        const keysDir = mkdtempSync(path.join(tmpdir(), 'cairn-full-keys-'));
        dirs.push(keysDir);
        const params = paramsFromFlags({
          difficulty: 'fixed',
          blockTime: 1,
          initialTarget: EASY,
          apps: ['voting'],
          network: 'full-disk-test',
          appParams: { voting: DEVNET_VOTING_PARAMS },
        });
        const genesis = path.join(keysDir, 'genesis.json');
        writeFileSync(genesis, JSON.stringify(genesisFileFor(params)));
        const chainId = chainIdOf(params);
        const nodeArgs = ['--data-dir', disk.dataDir, '--genesis', genesis, '--app', 'voting', '--transport', 'none', '--api-port', '0'];
        // Not mining: the ballots' own writes are what meets the full disk.
        let node = start([...nodeArgs, '--mine', 'off', ...disk.args]);
        await node.waitForLine(/"event":"started"/);
        let api = await ApiClient.fromDataDir(disk.dataDir);

        const ballot = (): Tx => {
          const key = generateKeyPair();
          const { app, type, payload } = castBallot('default', 'tea');
          return signTx(chainId, { app, type, payload, from: key.publicKey, nonce: 0 }, privateKeyFromHex(key));
        };
        await disk.fill(0);
        // The last page of the log file may still take a ballot or two: those are accepted and kept.
        const accepted: string[] = [];
        let refused: { tx: Tx; error: ApiError } | undefined;
        for (let i = 0; i < 200 && !refused; i++) {
          const tx = ballot();
          try {
            accepted.push((await api.submitTx(tx)).id);
          } catch (err) {
            if (!(err instanceof ApiError)) throw err;
            refused = { tx, error: err };
          }
        }
        expect(refused, `no ballot was refused on ${disk.how}`).toBeDefined();
        expect(refused!.error).toMatchObject({ status: 503, code: 'STORE_FULL' });
        expect(refused!.error.message).not.toContain('\n');
        const id = txId(chainId, refused!.tx);
        // Not kept anywhere: not pending, not counted in the mempool, and its retry is judged again, not "known".
        await expect(api.txStatus(id)).rejects.toMatchObject({ status: 404, code: 'TX_UNKNOWN' });
        const status = await api.status();
        expect(status.mempool).toBe(accepted.length);
        expect(status.store.writable).toBe(false);
        await expect(api.submitTx(refused!.tx)).rejects.toMatchObject({ status: 503, code: 'STORE_FULL' });

        await disk.free();
        await waitFor('the store to take writes again', async () => (await api.status()).store.writable, 30_000, 100);
        expect(await api.submitTx(refused!.tx)).toEqual({ id });
        expect(await api.submitTx(refused!.tx)).toEqual({ id, known: true });

        // Restarted with mining on: every acknowledged ballot was kept, and each is counted once.
        await node.kill('SIGTERM');
        node = start([...nodeArgs, '--mine', 'on-demand']);
        await node.waitForLine(/"event":"started"/);
        api = await ApiClient.fromDataDir(disk.dataDir);
        await waitFor('every ballot to be counted', async () => (await api.status()).mempool === 0, 30_000, 100);
        const tally = await api.query<{ turnout: number; choices: Array<{ choice: string; votes: number }> }>('voting', 'tally', {
          election: 'default',
        });
        expect(tally.turnout).toBe(accepted.length + 1);
        expect(tally.choices).toEqual([{ choice: 'tea', votes: accepted.length + 1 }]);
        const receipt = await api.query<{ counted: boolean; txId: string }>('voting', 'receipt', {
          election: 'default',
          voter: refused!.tx.from,
        });
        expect(receipt).toMatchObject({ counted: true, txId: id });
        expect(storeLogLines(node).stackTraces).toBe(0);
      }),
    120_000,
  );
});
