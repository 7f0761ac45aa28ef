import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Tally } from '../apps/voting/index.js';
import { CairnError } from '../kernel/index.js';
import { Keystore } from '../kernel/index.js';
import type { Devnet } from './devnet/devnet.js';
import { expectFaults, judge, observe, type Detection, type FaultExpectation } from './devnet/fault-detection.js';
import { shortHash } from './node-assembly.js';
import { renderTally } from './voting/tally-table.js';
import { runVotePrompt, type VotePromptResult } from './voting/vote-prompt.js';
import { VotingClient } from './voting/voting-client.js';

/** What the demo needs of a devnet: its nodes and their API clients, and the faults of the malicious ones. */
export type DemoDevnet = Pick<Devnet, 'nodes' | 'client'> &
  Partial<Pick<Devnet, 'waitUntilConnected'>> & { readonly options?: { readonly faults?: readonly string[] } };

export interface DemoOptions {
  /** Print the result as one JSON line instead of tables. */
  json?: boolean;
  /** Where lines go; default stdout. */
  log?: (line: string) => void;
  /** Give up waiting for the ballots after this long. [default: 120 s] */
  timeoutMs?: number;
  /** With malicious nodes: how long honest nodes may take to show they noticed a fault they can see. [default: 30 s] */
  detectTimeoutMs?: number;
}

export interface DemoBallot {
  voter: string;
  choice: string;
  node: number;
  txId: string;
  height: number;
  blockHash: string;
}

export interface DemoRefusal {
  voter: string;
  choice: string;
  node: number;
  code: string;
  message: string;
}

export interface DemoNode {
  index: number;
  apiUrl: string;
  height?: number;
  tip?: string;
  tally?: Tally;
  /** Its tally is the expected one and every ballot's receipt names the transaction its node acknowledged. */
  agrees: boolean;
  /** Ballots of the demo it does not count as acknowledged (missing, or another transaction of that voter). */
  lost?: number;
  /** Votes for the demo's choices beyond its ballots: something counted twice. */
  doubled?: number;
  /** Votes for choices no demo voter made: ballots that must not count. */
  invalid?: number;
  /** Its process ended during the demo. */
  crashed?: boolean;
  error?: { code: string; message: string };
}

export interface DemoMalicious {
  index: number;
  address: string;
  faults: string[];
  /** Still running at the end (a crash fault ends it on purpose). */
  running: boolean;
  /** How it ended, when it did: a crash fault kills its own process with SIGKILL. */
  exit?: { code: number | null; signal: string | null };
}

export interface DemoResult {
  /** Every condition below holds; `failures` says which did not. */
  passed: boolean;
  failures: string[];
  /** Every honest node's tally equals the expected one (the tally before the demo plus its ballots), on one tip. */
  agreed: boolean;
  election: string;
  /** The first honest node's tally. */
  tally?: Tally;
  expected: Array<{ choice: string; votes: number }>;
  ballots: DemoBallot[];
  /** Ballots the chain refused: the duplicate attempt, and nothing else when all is well. */
  refused: DemoRefusal[];
  /** The honest nodes: the demo votes through them and compares them. */
  nodes: DemoNode[];
  /** The nodes run with `--fault`, which the demo neither votes through nor compares. */
  malicious: DemoMalicious[];
  /** The tip every honest node is on, when they agree on one. */
  tip?: string;
  /** From the first ballot cast until every honest node counted every ballot on one tip. */
  agreementMs?: number;
  /** With malicious nodes: whether the honest ones saw them misbehave, and how. */
  detection?: Detection;
  elapsedMs: number;
}

export const DEMO_ELECTION = 'default';

/** The original project's flow in miniature: six voters, write-in choices, one voter trying twice. */
export const DEMO_VOTERS: ReadonlyArray<{ voter: string; choice: string }> = [
  { voter: 'alice', choice: 'tea' },
  { voter: 'bob', choice: 'coffee' },
  { voter: 'carol', choice: 'tea' },
  { voter: 'dave', choice: 'water' },
  { voter: 'erin', choice: 'coffee' },
  { voter: 'frank', choice: 'tea' },
];
const DUPLICATE = { voter: 'alice', choice: 'coffee' };
const OFFICER = 'demo-officer';

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
  if (devnet.nodes.length === 0) throw new CairnError('DEVNET_NO_NODE', 'the devnet has no nodes to vote through');
  const honest = devnet.nodes.filter((n) => !n.malicious);
  const bad = devnet.nodes.filter((n) => n.malicious);
  if (honest.length === 0)
    throw new CairnError('DEVNET_NO_HONEST_NODE', 'every node of the devnet is malicious: the demo needs an honest one to vote through');
  const faults = devnet.options?.faults ?? [];
  const expectation = bad.length > 0 ? expectFaults(faults) : undefined;
  const keyDir = mkdtempSync(path.join(tmpdir(), 'cairn-demo-keys-'));
  try {
    const keystore = new Keystore(keyDir);
    const clients = new Map(honest.map((n) => [n.index, new VotingClient(devnet.client(n.index), keystore)]));
    const honestClients = [...clients.values()];
    const first = honestClients[0]!;
    if (bad.length === 0) await devnet.waitUntilConnected?.(30_000);
    else {
      for (const n of bad) human(`node ${n.index} (${n.address}) is malicious: ${faults.join(', ')}`);
      await waitUntilHonestConnected(devnet, honest, deadline);
    }

    const election = bad.length === 0 ? DEMO_ELECTION : await openDemoElection(first, clients, deadline, human);
    const before = await first.tally(election);
    const via = honest.length === devnet.nodes.length ? '' : 'honest ';
    human(
      `demo: ${DEMO_VOTERS.length} voters cast write-in ballots in election '${election}' through ${honest.length} ${via}node${honest.length === 1 ? '' : 's'}`,
    );

    const castStarted = Date.now();
    const ballots: DemoBallot[] = [];
    const refused: DemoRefusal[] = [];
    const width = Math.max(...DEMO_VOTERS.map((v) => v.voter.length));
    const choiceWidth = Math.max(...DEMO_VOTERS.map((v) => v.choice.length), DUPLICATE.choice.length);
    const cast = async (voter: string, choice: string, node: number) => {
      const line = `  ${voter.padEnd(width)}  via node ${node}  ${`'${choice}'`.padEnd(choiceWidth + 2)}`;
      try {
        const { txId, counted } = await clients.get(node)!.cast(election, choice, voter, { timeoutMs: deadline - Date.now() });
        ballots.push({ voter, choice, node, txId, height: counted!.height, blockHash: counted!.blockHash });
        human(`${line}  counted in block ${counted!.height} (${shortHash(counted!.blockHash)})`);
      } catch (err) {
        if (!(err instanceof CairnError) || !isRefusal(err.code)) throw err;
        refused.push({ voter, choice, node, code: err.code, message: err.message });
        human(`${line}  ${err.message} (${err.code})`);
      }
    };
    await Promise.all(DEMO_VOTERS.map(({ voter, choice }, i) => cast(voter, choice, honest[i % honest.length]!.index)));
    const failures: string[] = [];
    let missing = await waitUntilAllCounted(clients, ballots, deadline);
    if (missing.length === 0) human(`every ${via}node counted all ${ballots.length} ballots`);

    // Through another node than the voter's first ballot: the chain, not one node's memory, refuses it.
    const firstBallot = DEMO_VOTERS.findIndex((v) => v.voter === DUPLICATE.voter);
    await cast(DUPLICATE.voter, DUPLICATE.choice, honest[(firstBallot + 1) % honest.length]!.index);
    if (missing.length === 0) missing = await waitUntilAllCounted(clients, ballots, deadline);
    if (missing.length > 0) failures.push(`not every node counted every ballot in time: ${missing.slice(0, 3).join(', ')}`);
    const agreement = await waitForOneTip(honestClients, deadline);
    const agreementMs = agreement.tip ? Date.now() - castStarted : undefined;
    if (!agreement.tip) failures.push(`the ${via}nodes are not on one tip: ${agreement.seen}`);

    // From the voters' list, not from what was counted: a duplicate that slipped in must show as a disagreement.
    const expected = addBallots(before, DEMO_VOTERS);
    const voterKeys = new Map(DEMO_VOTERS.map((v) => [v.voter, first.voter(v.voter).publicKey]));
    const nodes = await Promise.all(
      honest.map((node) => inspectNode(node, clients.get(node.index)!, election, expected, ballots, voterKeys)),
    );
    for (const n of nodes) {
      if (n.crashed) failures.push(`honest node ${n.index} crashed`);
      else if (n.error) failures.push(`honest node ${n.index} does not answer: ${n.error.message}`);
      else if (!n.agrees)
        failures.push(
          `node ${n.index} counts ${describeCounts(n.tally?.choices ?? [])} (lost ${n.lost}, doubled ${n.doubled}, invalid ${n.invalid})`,
        );
    }
    if (!refused.some((r) => r.code === 'BALLOT_DUPLICATE')) failures.push(`the duplicate ballot of ${DUPLICATE.voter} was not refused`);
    for (const r of refused) if (r.voter !== DUPLICATE.voter) failures.push(`the ballot of ${r.voter} was refused: ${r.message}`);

    let detection: Detection | undefined;
    if (expectation) {
      detection = await waitForDetection(expectation, devnet, honest, bad, Date.now() + (options.detectTimeoutMs ?? 30_000));
      if (detection.detected === false) failures.push(`the malicious node was not detected: ${detection.how}`);
    }
    const agreed = nodes.every((n) => n.agrees) && agreement.tip !== undefined;
    const result: DemoResult = {
      passed: failures.length === 0,
      failures,
      agreed,
      election,
      tally: nodes[0]?.tally,
      expected,
      ballots,
      refused,
      nodes,
      malicious: bad.map((n) => ({
        index: n.index,
        address: n.address,
        faults: [...faults],
        running: n.child.running,
        ...(n.child.exit ? { exit: { code: n.child.exit.code, signal: n.child.exit.signal } } : {}),
      })),
      ...(agreement.tip ? { tip: agreement.tip, agreementMs } : {}),
      ...(detection ? { detection } : {}),
      elapsedMs: Date.now() - started,
    };
    if (options.json) log(JSON.stringify({ event: 'demo', ...result }));
    else await printResult(result, first, log);
    return result;
  } finally {
    rmSync(keyDir, { recursive: true, force: true });
  }
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
  const opened = await first.open({ id, title: 'Devnet demo (voter list)', choices: [], eligibility: { voters } }, OFFICER, {
    timeoutMs: deadline - Date.now(),
  });
  const missing = await waitUntilAllCounted(clients, [{ voter: OFFICER, txId: opened.txId }], deadline);
  if (missing.length > 0) throw new CairnError('DEMO_TIMEOUT', `the demo election did not reach every honest node in time: ${missing[0]}`);
  human(`demo: opened election '${id}' for the ${voters.length} demo voters only (a voter list: no other key's ballot may count)`);
  return id;
}

async function inspectNode(
  node: DemoDevnet['nodes'][number],
  client: VotingClient,
  election: string,
  expected: Array<{ choice: string; votes: number }>,
  ballots: DemoBallot[],
  voterKeys: Map<string, string>,
): Promise<DemoNode> {
  const base = { index: node.index, apiUrl: node.apiUrl };
  if (!node.child.running)
    return { ...base, agrees: false, crashed: true, error: { code: 'NODE_EXITED', message: `exited: ${node.child.failure()}` } };
  try {
    const status = await client.status();
    const tally = await client.tally(election);
    const receipts = await Promise.all(ballots.map((b) => client.receipt(election, voterKeys.get(b.voter)!)));
    const unreceipted = ballots.filter((b, i) => {
      const r = receipts[i]!;
      return !r.counted || r.txId !== b.txId || r.choice !== b.choice;
    }).length;
    const counts = compareCounts(tally, expected);
    const lost = Math.max(counts.lost, unreceipted);
    return {
      ...base,
      height: status.height,
      tip: status.tip,
      tally,
      agrees: sameCounts(tally, expected) && lost === 0,
      lost,
      doubled: counts.doubled,
      invalid: counts.invalid,
    };
  } catch (err) {
    const e = err as Partial<CairnError>;
    return { ...base, agrees: false, error: { code: e.code ?? 'INTERNAL', message: e.message ?? String(err) } };
  }
}

/** Votes missing from the expected counts, votes above them, and votes for choices nobody expected. */
function compareCounts(
  tally: Tally,
  expected: Array<{ choice: string; votes: number }>,
): { lost: number; doubled: number; invalid: number } {
  const want = new Map(expected.map((c) => [c.choice, c.votes]));
  const got = new Map(tally.choices.map((c) => [c.choice, c.votes]));
  let lost = 0;
  let doubled = 0;
  let invalid = 0;
  for (const [choice, votes] of want) lost += Math.max(0, votes - (got.get(choice) ?? 0));
  for (const [choice, votes] of got) {
    if (want.has(choice)) doubled += Math.max(0, votes - want.get(choice)!);
    else invalid += votes;
  }
  return { lost, doubled, invalid };
}

/** Honest nodes that see each other as ready peers: a malicious one may be banned by then, so its absence is fine. */
async function waitUntilHonestConnected(devnet: DemoDevnet, honest: DemoDevnet['nodes'], deadline: number): Promise<void> {
  const limit = Math.min(deadline, Date.now() + 30_000);
  for (;;) {
    const seen = await Promise.all(
      honest.map(async (n) => {
        const peers = await devnet
          .client(n.index, { timeoutMs: 3000 })
          .peers()
          .catch(() => undefined);
        const ready = new Set(peers?.peers.filter((p) => p.ready).map((p) => p.peer) ?? []);
        return honest.filter((o) => o !== n && !ready.has(o.address)).length;
      }),
    );
    if (seen.every((missing) => missing === 0)) return;
    if (Date.now() > limit)
      throw new CairnError(
        'DEVNET_NOT_CONNECTED',
        `the honest nodes did not all connect to each other within 30 s (${seen.map((m, i) => `node ${honest[i]!.index} misses ${m}`).join(', ')})`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Polls the honest nodes until they name one tip; no `tip` when the deadline passes first. */
async function waitForOneTip(clients: VotingClient[], deadline: number): Promise<{ tip?: string; seen: string }> {
  for (;;) {
    const statuses = await Promise.all(clients.map((c) => c.status().catch(() => undefined)));
    const tip = statuses[0]?.tip;
    if (tip && statuses.every((s) => s?.tip === tip)) return { tip, seen: '' };
    if (Date.now() > deadline) return { seen: statuses.map((s) => (s ? `${s.height}:${shortHash(s.tip)}` : 'no answer')).join(', ') };
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Polls the honest nodes until they show the faults were seen (or, for faults nobody can see, once). */
async function waitForDetection(
  expectation: FaultExpectation,
  devnet: DemoDevnet,
  honest: DemoDevnet['nodes'],
  bad: DemoDevnet['nodes'],
  deadline: number,
): Promise<Detection> {
  const targets = honest.filter((n) => n.child.running).map((n) => ({ index: n.index, api: devnet.client(n.index, { timeoutMs: 3000 }) }));
  const addresses = bad.map((n) => n.address);
  for (;;) {
    const detection = judge(expectation, await observe(targets, addresses));
    if (detection.detected !== false || Date.now() > deadline) return detection;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The codes that mean "the chain said no" rather than "something broke". */
function isRefusal(code: string): boolean {
  return code.startsWith('BALLOT_') || code.startsWith('ELECTION_') || code === 'TX_DROPPED';
}

/** Polls every node until each says every ballot is on its best chain; what is still missing at the deadline. */
async function waitUntilAllCounted(
  clients: ReadonlyMap<number, VotingClient>,
  ballots: ReadonlyArray<{ voter: string; txId: string }>,
  deadline: number,
): Promise<string[]> {
  for (;;) {
    const missing: string[] = [];
    await Promise.all(
      [...clients].map(async ([node, client]) => {
        for (const ballot of ballots) {
          const status = await client.api.txStatus(ballot.txId).catch(() => undefined);
          if (status?.status !== 'confirmed') missing.push(`node ${node} lacks the transaction of ${ballot.voter}`);
        }
      }),
    );
    if (missing.length === 0 || Date.now() > deadline) return missing;
    await new Promise((r) => setTimeout(r, 200));
  }
}

function addBallots(before: Tally, ballots: ReadonlyArray<{ choice: string }>): Array<{ choice: string; votes: number }> {
  const counts = new Map(before.choices.map((c) => [c.choice, c.votes]));
  for (const b of ballots) counts.set(b.choice, (counts.get(b.choice) ?? 0) + 1);
  return [...counts]
    .map(([choice, votes]) => ({ choice, votes }))
    .sort((a, b) => b.votes - a.votes || (a.choice < b.choice ? -1 : a.choice > b.choice ? 1 : 0));
}

function sameCounts(tally: Tally, expected: Array<{ choice: string; votes: number }>): boolean {
  const key = (list: Array<{ choice: string; votes: number }>) =>
    JSON.stringify([...list].sort((a, b) => (a.choice < b.choice ? -1 : a.choice > b.choice ? 1 : 0)));
  const turnout = expected.reduce((sum, c) => sum + c.votes, 0);
  return tally.turnout === turnout && key(tally.choices) === key(expected);
}

async function printResult(result: DemoResult, client: VotingClient, log: (line: string) => void): Promise<void> {
  for (const r of result.refused) if (r.code !== 'BALLOT_DUPLICATE') log(`unexpected refusal of ${r.voter}: ${r.message}`);
  if (result.refused.some((r) => r.code === 'BALLOT_DUPLICATE'))
    log(`the duplicate ballot of ${DUPLICATE.voter} was refused, as it must be`);
  else log(`the duplicate ballot of ${DUPLICATE.voter} was NOT refused`);
  log('');
  const first = result.nodes[0];
  if (result.tally && first?.height !== undefined) {
    const details = await client.election(result.election);
    for (const line of renderTally(result.tally, details, first.height)) log(line);
    log('');
  }
  const width = String(result.nodes.length - 1).length;
  log(`${'NODE'.padEnd(width + 5)}  HEIGHT  TIP           TALLY`);
  for (const n of result.nodes) {
    const name = `node ${String(n.index).padStart(width)}`;
    if (n.error) log(`${name}  not answering: ${n.error.message} (${n.error.code})`);
    else
      log(
        `${name}  ${String(n.height).padStart(6)}  ${shortHash(n.tip ?? '')}  ${n.agrees ? 'agrees' : `differs: ${describeCounts(n.tally?.choices ?? [])}`}`,
      );
  }
  for (const m of result.malicious)
    log(
      `node ${String(m.index).padStart(width)}  malicious (${m.faults.join(', ')}), ${m.running ? 'still running' : 'exited'}: not compared`,
    );
  const d = result.detection;
  if (d) {
    log('');
    for (const n of d.nodes) {
      const counted = Object.entries(n.rejections).map(([code, count]) => `${code} ${count}`);
      log(`node ${n.index} rejections: ${n.error ? `not answering (${n.error.code})` : counted.join(', ') || 'none'}`);
    }
    log(
      d.detected === null
        ? `the malicious node was not blamed, as expected: ${d.how}`
        : `the malicious node was ${d.detected ? 'detected' : 'NOT detected'}: ${d.how}`,
    );
  }
  const summary = describeCounts(result.expected);
  const who = result.malicious.length > 0 ? `${result.nodes.length} honest nodes` : `${result.nodes.length} nodes`;
  log(
    result.agreed
      ? `all ${who} agree on the tally: ${summary} (${(result.elapsedMs / 1000).toFixed(1)} s)`
      : `the ${who} do NOT agree; expected ${summary}`,
  );
  for (const f of result.failures) log(`failed: ${f}`);
}

function describeCounts(choices: Array<{ choice: string; votes: number }>): string {
  return choices.map((c) => `${c.choice} ${c.votes}`).join(', ') || 'no ballots';
}

/**
 * The devnet in a terminal: the other nodes' URLs, then `cairn vote` against node 0, with voter
 * keys in node 0's keystore (as `cairn vote --data-dir <node 0>` would use).
 */
export async function runDevnetPrompt(devnet: DemoDevnet): Promise<VotePromptResult> {
  const first = devnet.nodes[0];
  if (!first) throw new CairnError('DEVNET_NO_NODE', 'the devnet has no nodes to vote through');
  const banner = devnet.nodes.slice(1).map((n) => `node ${n.index}: ${n.apiUrl}  (cairn vote --data-dir ${n.dataDir} votes through it)`);
  return runVotePrompt(new VotingClient(devnet.client(0), new Keystore(first.dataDir)), { banner });
}
