import { describe, expect, it } from 'vitest';
import type { SecretDemoResult } from '../../src/cli/devnet/secret-demo-types.js';
import { runCairn } from '../support/processes.js';

describe('cairn devnet --demo --secret', () => {
  it('runs a secret election across the nodes to a decrypted tally every node agrees on, and a record that verifies', async () => {
    const run = await runCairn(['devnet', '--demo', '--secret', '--json'], { timeoutMs: 150_000 });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string });
    expect(lines.map((l) => l.event)).toEqual(['started', 'demo', 'stopped']);
    const demo = lines[1] as unknown as SecretDemoResult;
    expect(demo.passed, demo.failures.join('; ')).toBe(true);
    expect(demo.choices).toEqual(['tea', 'coffee', 'water']);
    expect(demo.expected).toEqual([3, 1, 1]);
    expect(demo.qualified).toEqual([1, 2, 3]);
    // Trustee 2 is offline: the other two are the threshold.
    expect(demo.decryptedBy).toEqual(['trustee-1', 'trustee-3']);
    for (const node of demo.nodes) expect(node).toMatchObject({ agrees: true, counts: [3, 1, 1] });
    expect(new Set(demo.nodes.map((n) => n.tip)).size).toBe(1);
    // Six ballots through every node, bob's first one replaced by his revote; erin's audited one never cast.
    expect(demo.ballots).toHaveLength(6);
    expect(new Set(demo.ballots.map((b) => b.node))).toEqual(new Set([0, 1, 2]));
    expect(demo.ballots.filter((b) => b.replaced).map((b) => b.voter)).toEqual(['bob']);
    expect(demo.audit).toMatchObject({ voter: 'erin', matches: true });
    expect(demo.ballots.map((b) => b.tracking)).not.toContain(demo.audit!.tracking);
    expect(demo.verify).toMatchObject({
      ok: true,
      counts: { ceremonyKeys: 3, deals: 3, complaints: 0, ballots: 6, revotes: 1, decryptions: 2 },
      result: { counts: [3, 1, 1] },
    });
  }, 180_000);

  it('--secret is a demo: with --no-demo it is refused in one sentence', async () => {
    const run = await runCairn(['devnet', '--secret', '--no-demo'], { timeoutMs: 30_000 });
    expect(run.code).not.toBe(0);
    expect(run.stderr.trim()).toBe('Error: --secret is a kind of demo: it cannot go with --no-demo (CONFIG_INVALID)');
  });
});
