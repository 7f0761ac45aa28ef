import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import type { ElectionSummary, SecretElectionView } from '../../src/apps/voting/index.js';
import { PROC_TARGET, ProcNet, waitForAgreement, waitForPeers, type ProcNode } from '../support/devnet-procs.js';
import { testSeed } from '../support/resilience.js';
import { waitFor } from '../support/wait.js';

/** The voting app on an easy fixed target: every node shares these flags, so one chain id. */
const CHAIN = ['--difficulty', 'fixed', '--initial-target', PROC_TARGET, '--app', 'voting'];

/**
 * Three faulty nodes, each with faults whose refusal codes differ, so each count is pinned on
 * one fault: the two sending faults of a node cost an honest peer 2 points each every 3 s,
 * under the 1 point a second a score decays by, so none is banned over this run.
 */
const FAULTY: Array<{ faults: string[]; codes: string[] }> = [
  { faults: ['forged-overvote', 'early-share'], codes: ['BALLOT_BAD_PROOF', 'DECRYPT_TOO_EARLY'] },
  { faults: ['copied-ballot', 'wrong-share'], codes: ['BALLOT_BAD_PROOF', 'DECRYPT_BAD_SHARE'] },
  { faults: ['malformed-point', 'bad-dealer', 'silent-trustee'], codes: ['BALLOT_MALFORMED'] },
];

type Rejections = Record<string, number>;

/** What `node` counted against each of `from`, connected or banned, and whom it banned. */
async function countsAgainst(node: ProcNode, from: readonly ProcNode[]): Promise<{ counts: Rejections[]; banned: string[] }> {
  const { peers, banned } = await node.api.peers();
  const of = (address: string): Rejections =>
    peers.find((p) => p.peer === address)?.rejections ?? banned.find((b) => b.peer === address)?.rejections ?? {};
  return { counts: from.map((f) => of(f.address)), banned: banned.map((b) => b.peer) };
}

/** The fault's own secret elections, by the label it names them with (`fault-LABEL-N`). */
async function faultElections(node: ProcNode): Promise<Map<string, SecretElectionView>> {
  const all = await node.api.query<ElectionSummary[]>('voting', 'elections');
  const views = new Map<string, SecretElectionView>();
  for (const e of all.filter((e) => e.secret)) {
    const label = /^fault-(.+)-\d+$/.exec(e.id)?.[1];
    if (label) views.set(label, await node.api.query<SecretElectionView>('voting', 'secretElection', { election: e.id }));
  }
  return views;
}

describe('secret-election faults against two honest nodes on loopback', () => {
  const net = new ProcNet();
  afterEach(() => net.stop());

  it('bad ballots and bad shares are refused under their codes, a bad dealer is disqualified, a silent trustee is not needed; nobody crashes, the honest nodes agree', async () => {
    const seed = testSeed();
    await net.startTracker();
    const honest = [await net.startNode({ chainArgs: CHAIN }), await net.startNode({ chainArgs: CHAIN })];
    const faulty: ProcNode[] = [];
    for (const [i, { faults }] of FAULTY.entries())
      faulty.push(
        await net.startNode({
          chainArgs: CHAIN,
          mine: 'off',
          name: `faulty${i}`,
          extraArgs: [...faults.flatMap((f) => ['--fault', f]), '--fault-seed', String(seed + i)],
        }),
      );
    await waitForPeers(honest, 1 + faulty.length, 30_000);

    let last: { counts: Rejections[]; banned: string[] }[] = [];
    let views: Map<string, SecretElectionView>[] = [];
    onTestFailed(() => console.error(JSON.stringify({ counts: last, views: views.map((v) => Object.fromEntries(v)) }).slice(0, 6000)));
    const detected = () =>
      last.length === honest.length &&
      last.every(({ counts }) => FAULTY.every(({ codes }, i) => codes.every((c) => (counts[i]![c] ?? 0) > 0)));
    const ceremoniesDone = () =>
      views.length === honest.length && views.every((v) => v.get('bad-dealer')?.phase === 'voting' && !!v.get('silent')?.result);
    await waitFor(
      'every code counted against its faulty node by both honest nodes, and the bad-dealer and silent-trustee elections finished',
      async () => {
        last = await Promise.all(honest.map((h) => countsAgainst(h, faulty)));
        views = await Promise.all(honest.map(faultElections));
        return detected() && ceremoniesDone();
      },
      60_000,
      500,
    );

    // No app rule bans: every refusal is 2 points and they decay.
    for (const { banned } of last) expect(banned.filter((b) => faulty.some((f) => f.address === b))).toEqual([]);

    // Everyone still runs; the honest nodes agree on one tip, and so on every fault election.
    for (const node of net.nodes) expect(node.proc.running, `${node.name} exited: ${node.proc.stderr.slice(-2000)}`).toBe(true);
    await waitForAgreement(honest, { timeoutMs: 30_000 });
    const [a, b] = await Promise.all(honest.map(faultElections));
    // Compared at one tip: a block between the two reads may have moved an election on.
    const settled = (v: SecretElectionView) => ({ election: v.election, phase: v.phase, disqualified: v.disqualified, key: v.key });
    expect([...b!.values()].map(settled)).toEqual([...a!.values()].map(settled));

    const dealer = a!.get('bad-dealer')!;
    expect(dealer.disqualified).toHaveLength(1);
    expect(dealer).toMatchObject({ phase: 'voting', qualified: [1, 2, 3].filter((j) => j !== dealer.disqualified[0]) });
    expect(dealer.key).toMatch(/^[0-9a-f]{64}$/);
    // The complaint that disqualified it is on the chain, from the one trustee it cheated.
    const complaints = dealer.reviews.flatMap((r, i) => (r?.complaints ?? []).map((c) => ({ from: i + 1, dealer: c.dealer })));
    expect(complaints).toEqual([{ from: expect.any(Number), dealer: dealer.disqualified[0] }]);

    const silent = a!.get('silent')!;
    expect(silent.result!.trustees).toHaveLength(2);
    expect(silent.decrypted).toHaveLength(2);
    expect(silent.decryptions.filter((d) => d === null)).toHaveLength(1);
    // Every valid ballot of the faults is for the first choice: an overvote or a copy counted would show.
    expect(silent.result!.counts).toEqual([silent.turnout, 0, 0]);
    expect(silent.turnout).toBeGreaterThan(0);

    console.info(
      `secret-election faults (seed ${seed}): counted by the honest nodes ${JSON.stringify(last.map((l) => l.counts))}; bad dealer ${dealer.disqualified[0]} disqualified; silent trustee's election decrypted by ${silent.result!.trustees.join(' and ')}`,
    );
    // Refused shares leave no trace: the early election is open and sealed, the wrong-share one closed and undecrypted.
    expect(a!.get('early')).toMatchObject({ decrypted: [], result: null });
    expect(a!.get('wrong-share')).toMatchObject({ decrypted: [], result: null });
  }, 90_000);
});
