import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnProcess, runCairn, type RunResult } from '../support/processes.js';
import { startVotingNode, type VotingNode } from '../support/voting-node.js';

let node: VotingNode;
beforeAll(async () => {
  node = await startVotingNode();
});
afterAll(async () => {
  await node?.stop();
});

const cairn = (...args: string[]) => runCairn([...args, ...node.args], { timeoutMs: 60_000 });
const json = <T>(run: RunResult): T => {
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
};

/** A refusal is one line on stderr, `Error: <sentence> (<CODE>)`, exit 1, no stack trace. */
function expectRefused(run: RunResult, code: string, sentence: RegExp): void {
  expect(run.code, run.stdout).toBe(1);
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(sentence);
  expect(lines[0]!.endsWith(`(${code})`)).toBe(true);
  expect(run.stderr).not.toMatch(/^\s+at /m);
}

interface Counted {
  txId: string;
  counted: { height: number; blockHash: string; confirmations: number } | null;
}

async function exited(proc: CairnProcess, timeoutMs = 30_000): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  while (proc.running && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  return proc.kill('SIGKILL');
}

describe('cairn vote and cairn election against a running node', () => {
  it('opens an election, counts ballots, refuses a duplicate, gives an exact tally and receipts, and refuses ballots after the close', async () => {
    const opened = json<Counted & { election: string }>(
      await cairn(
        'election',
        'open',
        '--id',
        'budget',
        '--title',
        'Budget 2026',
        '--choice',
        'yes',
        '--choice',
        'no',
        '--creator',
        'carol',
        '--json',
      ),
    );
    expect(opened.election).toBe('budget');
    expect(opened.counted?.height).toBeGreaterThan(0);

    // A person sees the ballot being mined, then the block that counts it.
    const first = await cairn('vote', 'cast', '--election', 'budget', '--choice', 'yes', '--voter', 'alice');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^created key 'alice' \([0-9a-f]{64}\)/m);
    expect(first.stdout).toMatch(/^mining… ballot [0-9a-f]{12} is waiting for a block$/m);
    const countedLine = /^counted in block (\d+) \(hash ([0-9a-f]{64})\) with 1 confirmation$/m.exec(first.stdout);
    expect(countedLine, first.stdout).not.toBeNull();

    const duplicate = await cairn('vote', 'cast', '--election', 'budget', '--choice', 'no', '--voter', 'alice');
    expectRefused(
      duplicate,
      'BALLOT_DUPLICATE',
      /^Error: refused: 'alice' has already voted in election 'budget', and a voter gets one ballot /,
    );
    const duplicateJson = await cairn('vote', 'cast', '--election', 'budget', '--choice', 'no', '--voter', 'alice', '--json');
    expect(duplicateJson.code).toBe(1);
    expect(JSON.parse(duplicateJson.stdout)).toMatchObject({ error: { code: 'BALLOT_DUPLICATE' } });

    expectRefused(
      await cairn('vote', 'cast', '--election', 'budget', '--choice', 'maybe', '--voter', 'bob'),
      'BALLOT_BAD_CHOICE',
      /^Error: refused: 'maybe' is not a choice of election 'budget' \(yes, no\)/,
    );
    const bob = json<Counted>(await cairn('vote', 'cast', '--election', 'budget', '--choice', 'no', '--voter', 'bob', '--json'));
    const dave = json<Counted>(await cairn('vote', 'cast', '--election', 'budget', '--choice', 'no', '--voter', 'dave', '--json'));
    expect(bob.counted && dave.counted).toBeTruthy();

    const tally = json<Record<string, unknown>>(await cairn('vote', 'tally', '--election', 'budget', '--json'));
    expect(tally).toMatchObject({
      election: 'budget',
      choices: [
        { choice: 'no', votes: 2 },
        { choice: 'yes', votes: 1 },
      ],
      turnout: 3,
      closed: false,
      closesAt: null,
    });
    const table = await cairn('vote', 'tally', '--election', 'budget');
    expect(table.stdout).toMatch(/^ {2}no +2 +█+·* +66\.7%$/m);
    expect(table.stdout).toMatch(/^ {2}turnout: 3 ballots/m);

    // The receipt names the block that counted alice's ballot, and that block holds it.
    const receipt = json<{ counted: boolean; height: number; blockHash: string; txId: string; choice: string }>(
      await cairn('vote', 'receipt', '--election', 'budget', '--voter', 'alice', '--json'),
    );
    expect(receipt).toMatchObject({ counted: true, choice: 'yes', height: Number(countedLine![1]), blockHash: countedLine![2] });
    const { blocks } = await node.api.blocks(receipt.height, 1);
    expect(blocks[0]!.hash).toBe(receipt.blockHash);
    expect(blocks[0]!.txIds).toContain(receipt.txId);
    const block = await node.api.block(receipt.blockHash);
    expect(block.onBestChain).toBe(true);

    await cairn('keys', 'new', 'zoe');
    const none = await cairn('vote', 'receipt', '--election', 'budget', '--voter', 'zoe');
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toMatch(/^not counted yet/);

    expectRefused(
      await cairn('election', 'close', '--id', 'budget', '--creator', 'alice'),
      'ELECTION_NOT_CREATOR',
      /^Error: refused: only the creator of election 'budget' may close it, and 'alice' is not /,
    );
    const closed = json<Counted>(await cairn('election', 'close', '--id', 'budget', '--creator', 'carol', '--json'));
    expect(closed.counted?.height).toBeGreaterThan(receipt.height);
    expectRefused(
      await cairn('vote', 'cast', '--election', 'budget', '--choice', 'yes', '--voter', 'erin'),
      'ELECTION_CLOSED',
      new RegExp(
        `^Error: refused: election 'budget' was closed by its creator at height ${closed.counted!.height}, so it takes no more ballots `,
      ),
    );

    expectRefused(
      await cairn('election', 'close', '--id', 'budget', '--creator', 'carol'),
      'ELECTION_CLOSED',
      new RegExp(`^Error: refused: election 'budget' is already closed \\(its creator closed it at height ${closed.counted!.height}\\) `),
    );

    const list = json<Array<{ id: string; open: boolean; turnout: number; writeIn: boolean }>>(await cairn('election', 'list', '--json'));
    expect(list.map((e) => [e.id, e.open, e.turnout, e.writeIn])).toEqual([
      ['default', true, 0, true],
      ['budget', false, 3, false],
    ]);
    // The close was the last word: the tally did not move.
    expect(json<{ turnout: number }>(await cairn('vote', 'tally', '--election', 'budget', '--json')).turnout).toBe(3);
    // About twenty CLI processes, each a second or two on a busy two-core machine.
  }, 180_000);

  it('talks to a node named by --node and --token, and --no-wait returns before the block', async () => {
    const token = (await import('node:fs')).readFileSync(`${node.dataDir}/api.cookie`, 'utf8').trim();
    const quick = json<Counted>(
      await runCairn([
        'vote',
        'cast',
        '--choice',
        'tea',
        '--voter',
        'frank',
        '--no-wait',
        '--json',
        '--node',
        node.apiUrl,
        '--token',
        token,
        '--data-dir',
        node.dataDir,
      ]),
    );
    expect(quick.counted).toBeNull();
    await node.voting.waitUntilCounted(quick.txId, { timeoutMs: 20_000 });
    const tally = json<{ choices: unknown }>(
      await runCairn(['vote', 'tally', '--json', '--node', node.apiUrl, '--data-dir', node.dataDir]),
    );
    expect(tally.choices).toEqual([{ choice: 'tea', votes: 1 }]);

    const noToken = await runCairn([
      'vote',
      'cast',
      '--choice',
      'tea',
      '--voter',
      'gus',
      '--node',
      node.apiUrl,
      '--data-dir',
      `${node.dir}/elsewhere`,
    ]);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr.trim()).toMatch(/^Error: .*token.* \(AUTH_REQUIRED\)$/);

    // A mistyped election id is explained before anything is signed or a key is made.
    const badId = await cairn('vote', 'cast', '--election', 'Budget', '--choice', 'x', '--voter', 'ivan');
    expect(badId.code).toBe(1);
    expect(badId.stderr.trim()).toBe(
      "Error: 'Budget' is not an election id: use 1 to 64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit (ELECTION_BAD_ID)",
    );
    expect(node.voting.keystore.list().map((k) => k.name)).not.toContain('ivan');
  });

  it('vote tally --watch prints the tally again when a block counts a new ballot, and stops on Ctrl-C', async () => {
    const watch = new CairnProcess(['vote', 'tally', '--election', 'default', '--watch', '--json', ...node.args]);
    try {
      const first = JSON.parse(await watch.waitForLine(/^\{/)) as { turnout: number; height: number };
      const cast = json<Counted>(await cairn('vote', 'cast', '--choice', 'mate', '--voter', 'hana', '--json'));
      const next = await watch.waitForLine(new RegExp(`"turnout":${first.turnout + 1}\\b`));
      expect(JSON.parse(next)).toMatchObject({ height: cast.counted!.height, tip: cast.counted!.blockHash });
      expect(JSON.parse(next).choices).toContainEqual({ choice: 'mate', votes: 1 });
    } finally {
      expect(await watch.kill('SIGINT')).toBe(0);
    }
    expect(watch.stderr).toBe('');
  });

  it('vote cast --confirmations 2 waits for a second block on top of the ballot, and receipts count confirmations', async () => {
    const cast = new CairnProcess(['vote', 'cast', '--choice', 'tea', '--voter', 'ines', '--confirmations', '2', ...node.args]);
    const first = await cast.waitForLine(/^in block \d+ /);
    const [, height, hash] = /^in block (\d+) \(hash ([0-9a-f]{64})\): 1 confirmation of 2, waiting for more blocks$/.exec(first)!;
    expect(cast.running).toBe(true);
    expect(cast.stdout).not.toMatch(/^counted/m);

    // Another transaction gets the next block mined: the ballot's block now has 2 confirmations.
    const other = await node.voting.cast('default', 'mate', 'jon', { timeoutMs: 30_000 });
    expect(other.counted!.height).toBe(Number(height) + 1);
    await cast.waitForLine(/^counted in block/);
    expect(await exited(cast), cast.stderr).toBe(0);
    expect(cast.stdout).toMatch(new RegExp(`^counted in block ${height} \\(hash ${hash}\\) with 2 confirmations$`, 'm'));

    const receipt = json<{ counted: boolean; height: number; blockHash: string; confirmations: number }>(
      await cairn('vote', 'receipt', '--voter', 'ines', '--json'),
    );
    expect(receipt).toMatchObject({ counted: true, height: Number(height), blockHash: hash, confirmations: 2 });
    const human = await cairn('vote', 'receipt', '--voter', 'ines');
    expect(human.stdout).toMatch(new RegExp(`is in block ${height}, with 2 confirmations$`, 'm'));

    // --json carries the confirmations; a third block makes a ballot asking for 1 return at once.
    const quick = json<Counted>(await cairn('vote', 'cast', '--choice', 'tea', '--voter', 'kim', '--json'));
    expect(quick.counted).toMatchObject({ confirmations: 1 });
  }, 90_000);
});
