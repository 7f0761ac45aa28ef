import { appendFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explain, runDemo, testSeed } from '../support/resilience.js';

/**
 * Every node of a 3-node devnet gets the condition on its own transport, for what it sends and
 * what it receives: a message between two nodes passes two faulty ends, so 20% per end is about
 * 36% per message for loss.
 */
const CONDITIONS = ['drop=20%', 'duplicate=20%', 'reorder=20%', 'delay=50'];

describe('faulty links everywhere: the demo workload completes and every node agrees', () => {
  it.each(CONDITIONS)(
    '%s on every link',
    async (condition) => {
      const seed = testSeed();
      const run = await runDemo(['--fault-all', condition, '--fault-seed', String(seed)]);
      expect(run.code, explain(run)).toBe(0);
      const demo = run.demo!;
      expect(demo.failures).toEqual([]);
      expect(demo.malicious).toEqual([]);
      expect(demo.nodes.map((n) => n.index)).toEqual([0, 1, 2]);
      expect(demo.tip).toMatch(/^[0-9a-f]{64}$/);
      for (const node of demo.nodes) {
        expect(node).toMatchObject({ agrees: true, tip: demo.tip, lost: 0, doubled: 0, invalid: 0 });
        expect(node.tally?.turnout).toBe(6);
      }
      expect(demo.refused).toEqual([expect.objectContaining({ voter: 'alice', code: 'BALLOT_DUPLICATE' })]);
      if (process.env.CAIRN_FAULTS_REPORT)
        appendFileSync(
          process.env.CAIRN_FAULTS_REPORT,
          `${JSON.stringify({ fault: `all: ${condition}`, agreementMs: demo.agreementMs, elapsedMs: demo.elapsedMs })}\n`,
        );
    },
    120_000,
  );
});
