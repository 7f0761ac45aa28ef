import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { confirmedEverywhere, PROC_TARGET, ProcNet, waitForAgreement, waitForPeers } from '../support/devnet-procs.js';
import { BallotWorkload, seededRandom, testSeed } from '../support/resilience.js';
import { waitFor } from '../support/wait.js';

const CHAIN = ['--difficulty', 'fixed', '--initial-target', PROC_TARGET, '--app', 'voting'];
const BALLOTS = 20;

describe('the tracker killed and restarted during a ballot workload', () => {
  const net = new ProcNet();
  let keyDir: string | undefined;
  afterEach(async () => {
    await net.stop();
    if (keyDir) rmSync(keyDir, { recursive: true, force: true });
  });

  it(`all ${BALLOTS} ballots are acknowledged and counted everywhere; the nodes register again with the new tracker`, async () => {
    const seed = testSeed();
    const random = seededRandom(seed);
    const port = Number((await net.startTracker()).split(':')[1]);
    for (let i = 0; i < 3; i++) await net.startNode({ chainArgs: CHAIN });
    await waitForPeers(net.nodes, 2);
    keyDir = mkdtempSync(path.join(tmpdir(), 'cairn-tracker-keys-'));
    const workload = new BallotWorkload((i) => net.nodes[i]?.api, 3, random, keyDir);
    workload.start({ lanes: 2, pauseMs: 150, limit: BALLOTS });

    // Down while ballots flow: gossip between nodes that know each other does not need it.
    await waitFor('a few ballots before the kill', () => workload.acknowledged.length >= 3, 20_000);
    await net.tracker!.kill('SIGKILL');
    const ackedWhileDown = workload.acknowledged.length;
    await new Promise((r) => setTimeout(r, 1500));
    await net.startTracker({ port });
    await waitFor(
      'every node to register with the new tracker',
      () =>
        new Set(
          net
            .trackerEvents()
            .filter((e) => e.event === 'joined')
            .map((e) => e.peer),
        ).size === 3,
      15_000,
      50,
    );
    await workload.done();

    expect(workload.failures).toBe(0);
    expect(workload.acknowledged).toHaveLength(BALLOTS);
    expect(ackedWhileDown).toBeLessThan(BALLOTS);
    await confirmedEverywhere(
      net.nodes,
      workload.acknowledged.map((b) => b.txId),
      30_000,
    );
    await waitForAgreement(net.nodes);
    for (const node of net.nodes) {
      const tally = await node.api.query<{ turnout: number }>('voting', 'tally', { election: 'default' });
      expect(tally.turnout).toBe(BALLOTS);
    }
  }, 120_000);
});
