import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CairnProcess, runCairn, type RunResult } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

// What a newcomer does after the README's demo, as a script: a devnet whose dir they keep,
// ballots through two different nodes, the tally and a receipt, the chain read while the
// nodes run and after they stop, and a node started again on its dir without any flag.
// Every step is a `cairn` process with the output a person reads (no --json unless said).
// The app leg of the walk (app new → build → devnet → cairn tx → query) is test/cli/app-new.

const home = mkdtempSync(path.join(tmpdir(), 'cairn-walk-'));
const dir = path.join(home, 'devnet');
const processes: CairnProcess[] = [];
afterAll(async () => {
  // SIGINT first: a devnet stops its children; SIGKILL only for what did not end.
  await Promise.all(processes.map((p) => Promise.race([p.kill('SIGINT'), new Promise((r) => setTimeout(r, 10_000))])));
  await Promise.all(processes.map((p) => p.kill('SIGKILL')));
  rmSync(home, { recursive: true, force: true });
});

/** Each step runs as the newcomer's shell would: their own CAIRN_HOME, so their own keystore. */
const cairn = (...args: string[]): Promise<RunResult> => runCairn(args, { env: { CAIRN_HOME: home }, timeoutMs: 90_000 });
const start = (...args: string[]): CairnProcess => {
  const p = new CairnProcess(args, { CAIRN_HOME: home });
  processes.push(p);
  return p;
};

function ok(run: RunResult): string {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect(run.stderr).toBe('');
  return run.stdout;
}

/** One sentence on stderr, exit 1, the code at its end, no stack trace. */
function refused(run: RunResult, code: string): string {
  expect(run.code, run.stdout).toBe(1);
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]!.endsWith(`(${code})`), run.stderr).toBe(true);
  return lines[0]!;
}

describe('a newcomer walks through cairn', () => {
  it('keeps a devnet dir, votes through two nodes with one keystore, reads the chain while it runs and after, and restarts a node with no flags', async () => {
    const node0 = path.join(dir, 'node-0');
    const node1 = path.join(dir, 'node-1');

    // A devnet they keep: two nodes, the live status instead of the demo.
    const net = start('devnet', '--nodes', '2', '--dir', dir, '--no-demo');
    await net.waitForLine(/^node 1 +api /, 90_000);
    await net.waitForLine(/^node 1 +height +\d+ +tip [0-9a-f]{12} +peers +1\b/, 60_000);

    // alice votes through node 1, bob through node 0: one keystore serves both data dirs.
    const alice = ok(await cairn('vote', 'cast', '--choice', 'tea', '--voter', 'alice', '--data-dir', node1));
    expect(alice).toMatch(new RegExp(`^created key 'alice' \\([0-9a-f]{64}\\) in ${path.join(home, 'keys', 'alice.json')}$`, 'm'));
    expect(alice).toMatch(/^counted in block \d+ \(hash [0-9a-f]{64}\) with 1 confirmation$/m);
    ok(await cairn('vote', 'cast', '--choice', 'coffee', '--voter', 'bob', '--data-dir', node0));
    const again = refused(await cairn('vote', 'cast', '--choice', 'coffee', '--voter', 'alice', '--data-dir', node0), 'BALLOT_DUPLICATE');
    expect(again).toContain("'alice' has already voted");

    // alice's receipt from node 0, which she never used: her key is found, her ballot counted.
    let receipt = '';
    await waitFor(
      "node 0 to count alice's ballot",
      async () => {
        receipt = ok(await cairn('vote', 'receipt', '--voter', 'alice', '--data-dir', node0));
        return receipt.startsWith('counted');
      },
      30_000,
      200,
    );
    expect(receipt).toMatch(/^counted: the ballot of alice for 'tea' in election default is in block \d+, with \d+ confirmations?$/m);
    // The ballot and its block, asked of the running node.
    const { txId, height } = JSON.parse(ok(await cairn('vote', 'receipt', '--voter', 'alice', '--data-dir', node0, '--json'))) as {
      txId: string;
      height: number;
    };
    const shown = ok(await cairn('tx', 'show', txId, '--data-dir', node0));
    expect(shown).toMatch(new RegExp(`in block ${height} \\(hash [0-9a-f]+`));
    expect(shown).toContain('ballot.cast');
    expect(ok(await cairn('block', 'show', String(height), '--data-dir', node0))).toContain(txId.slice(0, 12));
    const tally = ok(await cairn('vote', 'tally', '--data-dir', node0));
    expect(tally).toMatch(/^ {2}tea +1 /m);
    expect(tally).toMatch(/^ {2}coffee +1 /m);
    expect(ok(await cairn('keys', 'list'))).toMatch(/^alice +[0-9a-f]{64}\nbob +[0-9a-f]{64}$/m);

    // The chain while the node runs: show asks the node, verify says why it waits for a stop.
    const live = ok(await cairn('chain', 'show', '--data-dir', node0));
    expect(live).toMatch(/^\(a node runs on this data dir: read from it at http:\/\/127\.0\.0\.1:\d+\)$/m);
    expect(live).toMatch(/^ +0 +[0-9a-f]{12} /m);
    const liveHeight = Math.max(...[...live.matchAll(/^ +(\d+) +[0-9a-f]{12} /gm)].map((m) => Number(m[1])));
    expect(liveHeight).toBeGreaterThanOrEqual(2);
    expect(refused(await cairn('chain', 'verify', '--data-dir', node0), 'STORE_LOCKED')).toContain('cairn chain show');

    // Ctrl-C: every process stops, the dir stays.
    expect(await net.kill('SIGINT')).toBe(0);
    expect(existsSync(path.join(node0, 'genesis.json'))).toBe(true);

    // After the stop: the data dir alone says which chain and apps; nothing else to type.
    const stored = ok(await cairn('chain', 'show', '--data-dir', node0));
    expect(stored).not.toContain('a node runs');
    expect(stored).toMatch(new RegExp(`^ +${liveHeight} +[0-9a-f]{12} `, 'm'));
    expect(ok(await cairn('chain', 'verify', '--data-dir', node0))).toMatch(
      /^chain verified: \d+ blocks after genesis, tip [0-9a-f]{12}$/m,
    );

    // Restarted with no flag but its dir, the node finds its chain and its apps.
    const restarted = start('node', 'start', '--data-dir', node0);
    const line = await restarted.waitForLine(/height/, 30_000);
    expect(line).toMatch(new RegExp(`height ${liveHeight}\\b`));
    // It serves no API (none was asked for): a client command says so, not "no node is running".
    expect(refused(await cairn('node', 'status', '--data-dir', node0), 'NODE_NO_API')).toContain('restart it with --api-port');
    expect(await restarted.kill('SIGTERM')).toBe(0);
    expect(restarted.stderr).toBe('');
  });
});
