import { describe, expect, it } from 'vitest';
import { runDevnetDemo } from '../../src/cli/devnet/demo.js';
import type { DemoResult } from '../../src/cli/devnet/demo-types.js';
import { Devnet } from '../../src/cli/devnet/devnet.js';
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

  it('runs in this process too: runDevnetDemo on a started 2-node Devnet prints the ballots, the node table and the verdict', async () => {
    const devnet = new Devnet({ nodes: 2 });
    const lines: string[] = [];
    try {
      await devnet.start();
      const result = await runDevnetDemo(devnet, { log: (line) => lines.push(line) });
      expect(result.passed, result.failures.join('; ')).toBe(true);
      expect(result.tally?.choices).toEqual(EXPECTED);
      // alice voted through node 0, so her second ballot goes through node 1.
      expect(result.refused).toEqual([expect.objectContaining({ voter: 'alice', node: 1, code: 'BALLOT_DUPLICATE' })]);
      expect(lines[0]).toBe("demo: 6 voters cast write-in ballots in election 'default' through 2 nodes");
      expect(lines).toContain('every node counted all 6 ballots');
      expect(lines).toContain('the duplicate ballot of alice was refused, as it must be');
      expect(lines).toContain('NODE    HEIGHT  TIP           TALLY');
      expect(lines.filter((l) => /^node [01] +\d+ +[0-9a-f]{12} +agrees$/.test(l))).toHaveLength(2);
      expect(lines.at(-1)).toMatch(/^all 2 nodes agree on the tally: tea 3, coffee 2, water 1 \(\d+\.\d s\)$/);
    } finally {
      await devnet.stop();
    }
  }, 180_000);
});
