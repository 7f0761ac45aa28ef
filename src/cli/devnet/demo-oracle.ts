import type { Tally } from '../../apps/voting/index.js';
import type { CairnError } from '../../kernel/index.js';
import type { VotingClient } from '../voting/voting-client.js';
import { DEMO_DUPLICATE } from './demo-script.js';
import type { DemoBallot, DemoDevnet, DemoNode, DemoRefusal } from './demo-types.js';
import type { Detection } from './fault-detection.js';

export type Counts = Array<{ choice: string; votes: number }>;

/** What the demo saw, from which `demoFailures` says what went wrong. */
export interface DemoObservations {
  /** Ballots some honest node had not counted at the deadline. */
  missing: string[];
  agreement: { tip?: string; seen: string };
  /** `honest ` when some nodes are malicious, else empty: how the messages name the compared nodes. */
  via: string;
  nodes: DemoNode[];
  refused: DemoRefusal[];
  detection?: Detection;
}

/** Every condition of the demo that does not hold, in one sentence each. */
export function demoFailures(seen: DemoObservations): string[] {
  const failures: string[] = [];
  if (seen.missing.length > 0) failures.push(`not every node counted every ballot in time: ${seen.missing.slice(0, 3).join(', ')}`);
  if (!seen.agreement.tip) failures.push(`the ${seen.via}nodes are not on one tip: ${seen.agreement.seen}`);
  for (const n of seen.nodes) {
    if (n.crashed) failures.push(`honest node ${n.index} crashed`);
    else if (n.error) failures.push(`honest node ${n.index} does not answer: ${n.error.message}`);
    else if (!n.agrees)
      failures.push(
        `node ${n.index} counts ${describeCounts(n.tally?.choices ?? [])} (lost ${n.lost}, doubled ${n.doubled}, invalid ${n.invalid})`,
      );
  }
  if (!seen.refused.some((r) => r.code === 'BALLOT_DUPLICATE'))
    failures.push(`the duplicate ballot of ${DEMO_DUPLICATE.voter} was not refused`);
  for (const r of seen.refused) if (r.voter !== DEMO_DUPLICATE.voter) failures.push(`the ballot of ${r.voter} was refused: ${r.message}`);
  if (seen.detection?.detected === false) failures.push(`the malicious node was not detected: ${seen.detection.how}`);
  return failures;
}

/** One honest node's tally and receipts against the expected counts and the ballots its peers acknowledged. */
export async function inspectNode(
  node: DemoDevnet['nodes'][number],
  client: VotingClient,
  election: string,
  expected: Counts,
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
      return !r.counted || r.txId !== b.txId || !('choice' in r) || r.choice !== b.choice;
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
export function compareCounts(tally: Tally, expected: Counts): { lost: number; doubled: number; invalid: number } {
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

/** The tally before the demo plus one vote per ballot, most votes first. */
export function addBallots(before: Tally, ballots: ReadonlyArray<{ choice: string }>): Counts {
  const counts = new Map(before.choices.map((c) => [c.choice, c.votes]));
  for (const b of ballots) counts.set(b.choice, (counts.get(b.choice) ?? 0) + 1);
  return [...counts]
    .map(([choice, votes]) => ({ choice, votes }))
    .sort((a, b) => b.votes - a.votes || (a.choice < b.choice ? -1 : a.choice > b.choice ? 1 : 0));
}

export function sameCounts(tally: Tally, expected: Counts): boolean {
  const key = (list: Counts) => JSON.stringify([...list].sort((a, b) => (a.choice < b.choice ? -1 : a.choice > b.choice ? 1 : 0)));
  const turnout = expected.reduce((sum, c) => sum + c.votes, 0);
  return tally.turnout === turnout && key(tally.choices) === key(expected);
}

export function describeCounts(choices: Counts): string {
  return choices.map((c) => `${c.choice} ${c.votes}`).join(', ') || 'no ballots';
}
