import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Tally } from '../apps/voting/index.js';
import { CairnError } from '../kernel/errors.js';
import { Keystore } from '../kernel/keystore.js';
import type { Devnet } from './devnet/devnet.js';
import { shortHash } from './node-assembly.js';
import { renderTally } from './voting/tally-table.js';
import { runVotePrompt, type VotePromptResult } from './voting/vote-prompt.js';
import { VotingClient } from './voting/voting-client.js';

/** What the demo needs of a devnet: its nodes and their API clients. */
export type DemoDevnet = Pick<Devnet, 'nodes' | 'client'> & Partial<Pick<Devnet, 'waitUntilConnected'>>;

export interface DemoOptions {
  /** Print the result as one JSON line instead of tables. */
  json?: boolean;
  /** Where lines go; default stdout. */
  log?: (line: string) => void;
  /** Give up waiting for the ballots after this long. [default: 120 s] */
  timeoutMs?: number;
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
  /** Its tally is the expected one. */
  agrees: boolean;
  error?: { code: string; message: string };
}

export interface DemoResult {
  /** Every node's tally equals the expected one: the tally before the demo plus its ballots. */
  agreed: boolean;
  election: string;
  /** Node 0's tally. */
  tally?: Tally;
  expected: Array<{ choice: string; votes: number }>;
  ballots: DemoBallot[];
  /** Ballots the chain refused: the duplicate attempt, and nothing else when all is well. */
  refused: DemoRefusal[];
  nodes: DemoNode[];
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

/**
 * Casts the demo ballots through different nodes of a running devnet, tries one duplicate
 * (which the chain must refuse), waits until every node has counted every ballot, and compares
 * every node's tally with the expected one. The voter keys are fresh on each run (a temp
 * keystore), so a devnet kept in a `--dir` runs the demo again with new voters.
 */
export async function runDevnetDemo(devnet: DemoDevnet, options: DemoOptions = {}): Promise<DemoResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const human = options.json ? () => undefined : log;
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? 120_000);
  const nodeCount = devnet.nodes.length;
  if (nodeCount === 0) throw new CairnError('DEVNET_NO_NODE', 'the devnet has no nodes to vote through');
  const keyDir = mkdtempSync(path.join(tmpdir(), 'cairn-demo-keys-'));
  try {
    const keystore = new Keystore(keyDir);
    const clients = devnet.nodes.map((_, i) => new VotingClient(devnet.client(i), keystore));
    await devnet.waitUntilConnected?.(30_000);

    const before = await clients[0]!.tally(DEMO_ELECTION);
    human(
      `demo: ${DEMO_VOTERS.length} voters cast write-in ballots in election '${DEMO_ELECTION}' through ${nodeCount} node${nodeCount === 1 ? '' : 's'}`,
    );

    const ballots: DemoBallot[] = [];
    const refused: DemoRefusal[] = [];
    const width = Math.max(...DEMO_VOTERS.map((v) => v.voter.length));
    const choiceWidth = Math.max(...DEMO_VOTERS.map((v) => v.choice.length), DUPLICATE.choice.length);
    const cast = async (voter: string, choice: string, node: number) => {
      const line = `  ${voter.padEnd(width)}  via node ${node}  ${`'${choice}'`.padEnd(choiceWidth + 2)}`;
      try {
        const { txId, counted } = await clients[node]!.cast(DEMO_ELECTION, choice, voter, { timeoutMs: deadline - Date.now() });
        ballots.push({ voter, choice, node, txId, height: counted!.height, blockHash: counted!.blockHash });
        human(`${line}  counted in block ${counted!.height} (${shortHash(counted!.blockHash)})`);
      } catch (err) {
        if (!(err instanceof CairnError) || !isRefusal(err.code)) throw err;
        refused.push({ voter, choice, node, code: err.code, message: err.message });
        human(`${line}  ${err.message} (${err.code})`);
      }
    };
    await Promise.all(DEMO_VOTERS.map(({ voter, choice }, i) => cast(voter, choice, i % nodeCount)));
    await waitUntilAllCounted(clients, ballots, deadline);
    human(`every node counted all ${ballots.length} ballots`);

    // Through another node than the voter's first ballot: the chain, not one node's memory, refuses it.
    const first = DEMO_VOTERS.findIndex((v) => v.voter === DUPLICATE.voter);
    await cast(DUPLICATE.voter, DUPLICATE.choice, (first + 1) % nodeCount);
    await waitUntilAllCounted(clients, ballots, deadline);

    // From the voters' list, not from what was counted: a duplicate that slipped in must show as a disagreement.
    const expected = addBallots(before, DEMO_VOTERS);
    const nodes = await Promise.all(
      devnet.nodes.map(async (node, i): Promise<DemoNode> => {
        try {
          const status = await clients[i]!.status();
          const tally = await clients[i]!.tally(DEMO_ELECTION);
          return {
            index: node.index,
            apiUrl: node.apiUrl,
            height: status.height,
            tip: status.tip,
            tally,
            agrees: sameCounts(tally, expected),
          };
        } catch (err) {
          const e = err as Partial<CairnError>;
          return {
            index: node.index,
            apiUrl: node.apiUrl,
            agrees: false,
            error: { code: e.code ?? 'INTERNAL', message: e.message ?? String(err) },
          };
        }
      }),
    );
    const result: DemoResult = {
      agreed: nodes.every((n) => n.agrees),
      election: DEMO_ELECTION,
      tally: nodes[0]?.tally,
      expected,
      ballots,
      refused,
      nodes,
      elapsedMs: Date.now() - started,
    };
    if (options.json) log(JSON.stringify({ event: 'demo', ...result }));
    else await printResult(result, clients[0]!, log);
    return result;
  } finally {
    rmSync(keyDir, { recursive: true, force: true });
  }
}

/** The codes that mean "the chain said no" rather than "something broke". */
function isRefusal(code: string): boolean {
  return code.startsWith('BALLOT_') || code.startsWith('ELECTION_') || code === 'TX_DROPPED';
}

/** Polls every node until each says every ballot is on its best chain. */
async function waitUntilAllCounted(clients: VotingClient[], ballots: DemoBallot[], deadline: number): Promise<void> {
  for (;;) {
    const missing: string[] = [];
    await Promise.all(
      clients.map(async (client, node) => {
        for (const ballot of ballots) {
          const status = await client.api.txStatus(ballot.txId).catch(() => undefined);
          if (status?.status !== 'confirmed') missing.push(`node ${node} lacks the ballot of ${ballot.voter}`);
        }
      }),
    );
    if (missing.length === 0) return;
    if (Date.now() > deadline)
      throw new CairnError('DEMO_TIMEOUT', `not every node counted every ballot in time: ${missing.slice(0, 3).join(', ')}`);
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
  const summary = describeCounts(result.expected);
  log(
    result.agreed
      ? `all ${result.nodes.length} nodes agree on the tally: ${summary} (${(result.elapsedMs / 1000).toFixed(1)} s)`
      : `the nodes do NOT agree; expected ${summary}`,
  );
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
