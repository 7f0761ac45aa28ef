import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CairnError, Keystore } from '../../kernel/index.js';
import { shortHash } from '../node-assembly.js';
import { VotingClient } from '../voting/voting-client.js';
import { addBallots, demoFailures, inspectNode, type Counts } from './demo-oracle.js';
import { printDemoResult } from './demo-report.js';
import { DEMO_DUPLICATE, DEMO_ELECTION, DEMO_OFFICER, DEMO_VOTERS, isRefusal } from './demo-script.js';
import type { DemoBallot, DemoDevnet, DemoMalicious, DemoNode, DemoOptions, DemoRefusal, DemoResult } from './demo-types.js';
import { waitForDetection, waitForOneTip, waitUntilAllCounted, waitUntilHonestConnected } from './demo-wait.js';
import { expectFaults, type Detection } from './fault-detection.js';

type Nodes = DemoDevnet['nodes'];

/** One demo run: the devnet's honest and malicious nodes, the clients it votes through, and its election. */
interface DemoRun {
  devnet: DemoDevnet;
  honest: Nodes;
  bad: Nodes;
  faults: readonly string[];
  deadline: number;
  human: (line: string) => void;
  clients: Map<number, VotingClient>;
  /** The first honest node's client: it opens the election and its tally is printed. */
  first: VotingClient;
  election: string;
  /** `honest ` when some nodes are malicious, else empty: how lines name the nodes voted through. */
  via: string;
}

/** The ballots counted, the ones refused, and what some node still lacked at the deadline. */
interface Casting {
  ballots: DemoBallot[];
  refused: DemoRefusal[];
  missing: string[];
  castStarted: number;
}

/**
 * Casts the demo ballots through different nodes of a running devnet, tries one duplicate
 * (which the chain must refuse), waits until every node has counted every ballot on one tip,
 * and compares every node's tally with the expected one. The voter keys are fresh on each run
 * (a temp keystore), so a devnet kept in a `--dir` runs the demo again with new voters.
 *
 * With malicious nodes (`--malicious N --fault ...`) only the honest nodes take ballots and are
 * compared, the ballots go to an election of their own whose voter list holds the demo voters
 * (so a ballot of any other key that got counted shows as invalid, and the default election is
 * left to faults that cast valid ballots of their own), and the result says whether the honest
 * nodes noticed the faults they can notice (`detection`).
 */
export async function runDevnetDemo(devnet: DemoDevnet, options: DemoOptions = {}): Promise<DemoResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const human = options.json ? () => undefined : log;
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? 120_000);
  const { honest, bad } = splitNodes(devnet);
  const faults = devnet.options?.faults ?? [];
  const expectation = bad.length > 0 ? expectFaults(faults) : undefined;
  const keyDir = mkdtempSync(path.join(tmpdir(), 'cairn-demo-keys-'));
  try {
    const run = await prepareDemo({ devnet, honest, bad, faults, deadline, human }, new Keystore(keyDir));
    const before = await run.first.tally(run.election);
    human(
      `demo: ${DEMO_VOTERS.length} voters cast write-in ballots in election '${run.election}' through ${honest.length} ${run.via}node${honest.length === 1 ? '' : 's'}`,
    );
    const casting = await castBallots(run);
    const agreement = await waitForOneTip([...run.clients.values()], deadline);
    const agreementMs = agreement.tip ? Date.now() - casting.castStarted : undefined;
    // From the voters' list, not from what was counted: a duplicate that slipped in must show as a disagreement.
    const expected = addBallots(before, DEMO_VOTERS);
    const nodes = await inspectNodes(run, expected, casting.ballots);
    const detection = expectation
      ? await waitForDetection(expectation, devnet, honest, bad, Date.now() + (options.detectTimeoutMs ?? 30_000))
      : undefined;
    const result = demoResult(run, casting, { agreement, agreementMs, expected, nodes, detection }, started);
    if (options.json) log(JSON.stringify({ event: 'demo', ...result }));
    else await printDemoResult(result, run.first, log);
    return result;
  } finally {
    rmSync(keyDir, { recursive: true, force: true });
  }
}

/** What the demo found once the ballots were cast. */
interface Checked {
  agreement: { tip?: string; seen: string };
  agreementMs?: number;
  expected: Counts;
  nodes: DemoNode[];
  detection?: Detection;
}

function demoResult(run: DemoRun, casting: Casting, checked: Checked, started: number): DemoResult {
  const { agreement, agreementMs, expected, nodes, detection } = checked;
  const failures = demoFailures({ missing: casting.missing, agreement, via: run.via, nodes, refused: casting.refused, detection });
  return {
    passed: failures.length === 0,
    failures,
    agreed: nodes.every((n) => n.agrees) && agreement.tip !== undefined,
    election: run.election,
    tally: nodes[0]?.tally,
    expected,
    ballots: casting.ballots,
    refused: casting.refused,
    nodes,
    malicious: maliciousOf(run),
    ...(agreement.tip ? { tip: agreement.tip, agreementMs } : {}),
    ...(detection ? { detection } : {}),
    elapsedMs: Date.now() - started,
  };
}

/** The honest nodes the demo votes through, and the malicious ones; throws when there is no honest one. */
function splitNodes(devnet: DemoDevnet): { honest: Nodes; bad: Nodes } {
  if (devnet.nodes.length === 0) throw new CairnError('DEVNET_NO_NODE', 'the devnet has no nodes to vote through');
  const honest = devnet.nodes.filter((n) => !n.malicious);
  const bad = devnet.nodes.filter((n) => n.malicious);
  if (honest.length === 0)
    throw new CairnError('DEVNET_NO_HONEST_NODE', 'every node of the devnet is malicious: the demo needs an honest one to vote through');
  return { honest, bad };
}

/** Clients of the honest nodes, once they are connected, and the election the demo votes in. */
async function prepareDemo(
  base: Pick<DemoRun, 'devnet' | 'honest' | 'bad' | 'faults' | 'deadline' | 'human'>,
  keystore: Keystore,
): Promise<DemoRun> {
  const { devnet, honest, bad, faults, deadline, human } = base;
  const clients = new Map(honest.map((n) => [n.index, new VotingClient(devnet.client(n.index), keystore)]));
  const first = [...clients.values()][0]!;
  if (bad.length === 0) await devnet.waitUntilConnected?.(30_000);
  else {
    for (const n of bad) human(`node ${n.index} (${n.address}) is malicious: ${faults.join(', ')}`);
    await waitUntilHonestConnected(devnet, honest, deadline);
  }
  const election = bad.length === 0 ? DEMO_ELECTION : await openDemoElection(first, clients, deadline, human);
  const via = honest.length === devnet.nodes.length ? '' : 'honest ';
  return { ...base, clients, first, election, via };
}

/** The demo ballots round-robin over the honest nodes, then the duplicate, waiting for each round to be counted. */
async function castBallots(run: DemoRun): Promise<Casting> {
  const { honest, clients, deadline, human, via } = run;
  const castStarted = Date.now();
  const ballots: DemoBallot[] = [];
  const refused: DemoRefusal[] = [];
  const cast = caster(run, ballots, refused);
  await Promise.all(DEMO_VOTERS.map(({ voter, choice }, i) => cast(voter, choice, honest[i % honest.length]!.index)));
  let missing = await waitUntilAllCounted(clients, ballots, deadline);
  if (missing.length === 0) human(`every ${via}node counted all ${ballots.length} ballots`);

  // Through another node than the voter's first ballot: the chain, not one node's memory, refuses it.
  const firstBallot = DEMO_VOTERS.findIndex((v) => v.voter === DEMO_DUPLICATE.voter);
  await cast(DEMO_DUPLICATE.voter, DEMO_DUPLICATE.choice, honest[(firstBallot + 1) % honest.length]!.index);
  if (missing.length === 0) missing = await waitUntilAllCounted(clients, ballots, deadline);
  return { ballots, refused, missing, castStarted };
}

/** Casts one ballot through a node and records it as counted or refused, with one aligned line. */
function caster(run: DemoRun, ballots: DemoBallot[], refused: DemoRefusal[]) {
  const width = Math.max(...DEMO_VOTERS.map((v) => v.voter.length));
  const choiceWidth = Math.max(...DEMO_VOTERS.map((v) => v.choice.length), DEMO_DUPLICATE.choice.length);
  return async (voter: string, choice: string, node: number): Promise<void> => {
    const line = `  ${voter.padEnd(width)}  via node ${node}  ${`'${choice}'`.padEnd(choiceWidth + 2)}`;
    try {
      const { txId, counted } = await run.clients.get(node)!.cast(run.election, choice, voter, { timeoutMs: run.deadline - Date.now() });
      ballots.push({ voter, choice, node, txId, height: counted!.height, blockHash: counted!.blockHash });
      run.human(`${line}  counted in block ${counted!.height} (${shortHash(counted!.blockHash)})`);
    } catch (err) {
      if (!(err instanceof CairnError) || !isRefusal(err.code)) throw err;
      refused.push({ voter, choice, node, code: err.code, message: err.message });
      run.human(`${line}  ${err.message} (${err.code})`);
    }
  };
}

/**
 * An election of the demo's own whose voter list is the demo voters: faults that cast valid
 * ballots of fresh keys can't reach its tally, so any vote in it beyond the demo's is one that
 * must not count.
 */
async function openDemoElection(
  first: VotingClient,
  clients: ReadonlyMap<number, VotingClient>,
  deadline: number,
  human: (line: string) => void,
): Promise<string> {
  const id = `demo-${randomBytes(4).toString('hex')}`;
  const voters = DEMO_VOTERS.map((v) => first.voter(v.voter).publicKey);
  const opened = await first.open({ id, title: 'Devnet demo (voter list)', choices: [], eligibility: { voters } }, DEMO_OFFICER, {
    timeoutMs: deadline - Date.now(),
  });
  const missing = await waitUntilAllCounted(clients, [{ voter: DEMO_OFFICER, txId: opened.txId }], deadline);
  if (missing.length > 0) throw new CairnError('DEMO_TIMEOUT', `the demo election did not reach every honest node in time: ${missing[0]}`);
  human(`demo: opened election '${id}' for the ${voters.length} demo voters only (a voter list: no other key's ballot may count)`);
  return id;
}

/** Every honest node's tally and receipts, compared with the expected counts. */
function inspectNodes(run: DemoRun, expected: Counts, ballots: DemoBallot[]): Promise<DemoNode[]> {
  const voterKeys = new Map(DEMO_VOTERS.map((v) => [v.voter, run.first.voter(v.voter).publicKey]));
  return Promise.all(run.honest.map((node) => inspectNode(node, run.clients.get(node.index)!, run.election, expected, ballots, voterKeys)));
}

function maliciousOf(run: DemoRun): DemoMalicious[] {
  return run.bad.map((n) => ({
    index: n.index,
    address: n.address,
    faults: [...run.faults],
    running: n.child.running,
    ...(n.child.exit ? { exit: { code: n.child.exit.code, signal: n.child.exit.signal } } : {}),
  }));
}
