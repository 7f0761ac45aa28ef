import { describe, expect, it } from 'vitest';
import type { DemoResult } from '../../src/cli/devnet/demo-types.js';
import { runCairn } from '../support/processes.js';

const EXPECTED = [
  { choice: 'tea', votes: 3 },
  { choice: 'coffee', votes: 2 },
  { choice: 'water', votes: 1 },
];

describe('cairn devnet --demo', () => {
  it('casts ballots through every node, has the duplicate refused, prints the tally all nodes agree on (--json), and exits 0', async () => {
    const run = await runCairn(['devnet', '--demo', '--json'], { timeoutMs: 150_000 });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string });
    expect(lines.map((l) => l.event)).toEqual(['started', 'demo', 'stopped']);
    const demo = lines[1] as unknown as DemoResult;
    expect(demo.agreed).toBe(true);
    expect(demo.tally?.choices).toEqual(EXPECTED);
    expect(demo.tally?.turnout).toBe(6);
    expect(demo.nodes).toHaveLength(3);
    for (const node of demo.nodes) {
      expect(node.agrees).toBe(true);
      expect(node.tally?.choices).toEqual(EXPECTED);
    }
    // Ballots went through every node, and the one duplicate was refused by the chain's rule.
    expect(new Set(demo.ballots.map((b) => b.node))).toEqual(new Set([0, 1, 2]));
    expect(demo.refused).toEqual([expect.objectContaining({ voter: 'alice', code: 'BALLOT_DUPLICATE' })]);
  }, 180_000);

  it('runs the demo for people when stdout is not a terminal: a table and the agreed tally', async () => {
    const run = await runCairn(['devnet', '--nodes', '2'], { timeoutMs: 150_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /^ {2}alice +via node 1 +'coffee' +refused: 'alice' has already voted in election 'default'.*\(BALLOT_DUPLICATE\)$/m,
    );
    expect(run.stdout).toMatch(/^ {2}tea +3 +█{24} +50\.0%$/m);
    expect(run.stdout).toMatch(/^node 0 +\d+ +[0-9a-f]{12} +agrees$/m);
    expect(run.stdout).toMatch(/^node 1 +\d+ +[0-9a-f]{12} +agrees$/m);
    expect(run.stdout).toMatch(/^all 2 nodes agree on the tally: tea 3, coffee 2, water 1 /m);
  }, 180_000);
});
