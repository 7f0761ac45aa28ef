import { describe, expect, it } from 'vitest';
import { explain, runDemo } from '../support/resilience.js';

/**
 * The smoke set of the resilience suite (all faults: npm run test:faults): the original's
 * malicious peer, and a fault that casts valid-looking ballots of its own.
 */
describe('cairn devnet --demo --malicious 1', () => {
  it.each([
    ['bad-pow', 'BLOCK_BAD_POW', true],
    ['double-ballot', 'BALLOT_DUPLICATE', false],
  ] as const)(
    '--fault %s: the 3 honest nodes agree on the exact tally and count %s against the malicious node',
    async (fault, code, banned) => {
      const run = await runDemo(['--nodes', '4', '--malicious', '1', '--fault', fault]);
      expect(run.code, explain(run)).toBe(0);
      const demo = run.demo!;
      expect(demo).toMatchObject({ passed: true, failures: [], agreed: true });
      expect(demo.election).toMatch(/^demo-[0-9a-f]{8}$/);
      expect(demo.nodes.map((n) => [n.index, n.agrees, n.lost, n.doubled, n.invalid])).toEqual([
        [0, true, 0, 0, 0],
        [1, true, 0, 0, 0],
        [2, true, 0, 0, 0],
      ]);
      expect(demo.tally?.turnout).toBe(6);
      const [bad] = demo.malicious;
      expect(bad).toMatchObject({ index: 3, faults: [fault], running: true });
      expect(demo.detection?.detected).toBe(true);
      // Someone counted the fault's code against the malicious node's own address.
      const counted = demo.detection!.nodes.filter((n) => (n.fromMalicious[code] ?? 0) > 0);
      expect(counted.length).toBeGreaterThan(0);
      if (banned) expect(demo.detection!.nodes.some((n) => n.banned.some((b) => b.peer === bad!.address))).toBe(true);
    },
    120_000,
  );

  it('says which node names a fault may use, in one sentence', async () => {
    const run = await runDemo(['--nodes', '3', '--malicious', '1', '--fault', 'partition=node2']);
    expect(run.code).toBe(1);
    const { error } = JSON.parse(run.stdout) as { error: { code: string; message: string } };
    expect(error).toEqual({
      code: 'CONFIG_INVALID',
      message: '--fault partition=node2: node2 is not an honest node (the honest ones are node0 to node1)',
    });
  });
});
