import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Receipt } from '../../src/apps/voting/index.js';
import { confirmedEverywhere, PROC_TARGET, ProcNet, waitForAgreement, waitForPeers } from '../support/devnet-procs.js';
import { runCairn } from '../support/processes.js';
import { BallotWorkload, seededRandom, testSeed } from '../support/resilience.js';

/** The voting app with its default write-in election, on an easy fixed target. */
const CHAIN = ['--difficulty', 'fixed', '--initial-target', PROC_TARGET, '--app', 'voting'];
const KILLS = 20;

describe('kill -9 during a ballot workload', () => {
  const net = new ProcNet();
  let keyDir: string | undefined;
  afterEach(async () => {
    await net.stop();
    if (keyDir) rmSync(keyDir, { recursive: true, force: true });
  });

  const verify = async (dir: string) => {
    const run = await runCairn(['chain', 'verify', '--data-dir', dir, ...CHAIN, '--json'], { timeoutMs: 30_000 });
    expect(run.code, `chain verify of ${dir}: ${run.stdout}${run.stderr}`).toBe(0);
  };

  it(`a random node killed ${KILLS} times: every restart succeeds, chain verify passes, every acknowledged ballot is counted`, async () => {
    const seed = testSeed();
    const random = seededRandom(seed);
    await net.startTracker();
    for (let i = 0; i < 3; i++) await net.startNode({ chainArgs: CHAIN });
    await waitForPeers(net.nodes, 2);
    keyDir = mkdtempSync(path.join(tmpdir(), 'cairn-kill-keys-'));
    const workload = new BallotWorkload((i) => (net.nodes[i]?.proc.running ? net.nodes[i]!.api : undefined), 3, random, keyDir);
    workload.start({ lanes: 2, pauseMs: 200 });

    const restartMs: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, 200 + Math.floor(random() * 600)));
      const victim = net.nodes[Math.floor(random() * 3)]!;
      await victim.proc.kill('SIGKILL');
      await verify(victim.dir);
      const t0 = Date.now();
      const back = await net.restart(victim);
      restartMs.push(Date.now() - t0);
      expect(back.proc.running).toBe(true);
    }
    await workload.stop();

    const acked = workload.acknowledged;
    expect(acked.length, `no ballot was acknowledged (${workload.failures} failed)`).toBeGreaterThan(KILLS);
    await waitForPeers(net.nodes, 2, 30_000);
    await confirmedEverywhere(
      net.nodes,
      acked.map((b) => b.txId),
      60_000,
    );
    const { tip, height } = await waitForAgreement(net.nodes, { timeoutMs: 30_000 });
    for (const node of net.nodes)
      for (const b of acked) {
        const receipt = await node.api.query<Receipt>('voting', 'receipt', { election: 'default', voter: b.publicKey });
        expect(receipt, `${b.voter} on ${node.name}`).toMatchObject({ counted: true, choice: b.choice, txId: b.txId });
      }

    // Stopped cleanly at the end, every store still verifies from genesis.
    for (const node of net.nodes) {
      await node.proc.kill('SIGTERM');
      await verify(node.dir);
    }
    console.info(
      `kill -9 x${KILLS}: ${acked.length} ballots acknowledged (${workload.failures} not, their node was down), all counted on one tip at height ${height} (${tip.slice(0, 12)}); restarts took ${Math.min(...restartMs)}-${Math.max(...restartMs)} ms (seed ${seed})`,
    );
  }, 300_000);
});
