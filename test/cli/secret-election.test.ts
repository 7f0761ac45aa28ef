import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrusteeCeremony } from '../../src/cli/voting/ceremony-run.js';
import { SecretElectionClient } from '../../src/cli/voting/secret-client.js';
import { generateKeyPair, privateKeyFromHex, signTx, txId } from '../../src/kernel/index.js';
import { CAIRN_BIN, runCairn, type RunResult } from '../support/processes.js';
import { HAS_SCRIPT, KEY, TerminalSession } from '../support/terminal.js';
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
const ok = (run: RunResult): string => {
  expect(run.code, run.stderr).toBe(0);
  return run.stdout;
};

/** An error is one line on stderr naming its code, exit 1, no stack trace. */
function expectError(run: RunResult, code: string, sentence: RegExp): void {
  expect(run.code, run.stdout).toBe(1);
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(sentence);
  expect(lines[0]!.endsWith(`(${code})`), lines[0]).toBe(true);
}

describe('a secret election through the CLI', () => {
  it('opens, runs the ceremony, takes encrypted ballots and a revote, decrypts 2 of 3, exports a record that verifies and fails when tampered', async () => {
    for (const k of ['t1', 't2', 't3']) ok(await cairn('keys', 'new', k));
    const t3 = json<{ publicKey: string }>(await cairn('keys', 'new', 't3b', '--json')).publicKey;

    expectError(
      await cairn('election', 'open', '--id', 'x', '--title', 'X', '--choice', 'a', '--trustee', 't1', '--creator', 'carol'),
      'USAGE',
      /^Error: --trustee is for secret elections: add --secret/,
    );
    expectError(
      await cairn('election', 'open', '--id', 'x', '--title', 'X', '--secret', '--trustee', 't1', '--threshold', '1', '--creator', 'carol'),
      'USAGE',
      /^Error: a secret election needs its choices listed/,
    );

    // Trustee 3 given by its public key.
    const opened = await cairn(
      'election',
      'open',
      '--id',
      'board',
      '--title',
      'Board',
      '--choice',
      'ada',
      '--choice',
      'grace',
      '--choice',
      'edsger',
      '--secret',
      '--trustee',
      't1',
      '--trustee',
      't2',
      '--trustee',
      t3,
      '--threshold',
      '2',
      '--revote',
      '--creator',
      'carol',
    );
    expect(ok(opened)).toMatch(
      /^secret ballots: 3 trustees, any 2 decrypt the totals after the close; a later ballot replaces an earlier one; 1 choice per ballot$/m,
    );

    expectError(
      await cairn('vote', 'cast', '--election', 'board', '--choice', 'ada', '--voter', 'alice'),
      'ELECTION_NOT_READY',
      /^Error: election 'board' cannot take ballots yet: its trustees have not finished the key ceremony/,
    );

    // Each trustee waits for the others: they run side by side.
    const ceremonies = await Promise.all([
      cairn('trustee', 'ceremony', '--election', 'board', '--key', 't1'),
      cairn('trustee', 'ceremony', '--election', 'board', '--key', 't2'),
      cairn('trustee', 'ceremony', '--election', 'board', '--key', 't3b', '--json'),
    ]);
    const human = ok(ceremonies[0]);
    expect(human).toMatch(/^trustee 1 of 3 in election board \(any 2 decrypt\)$/m);
    expect(human).toMatch(/^posted ceremony key$/m);
    expect(human).toMatch(/^posted deal /m);
    expect(human).toMatch(/^posted review with no complaint$/m);
    expect(human).toMatch(/^the election key is fixed: qualified trustees 1, 2, 3; ballots are taken now$/m);
    expect(ok(ceremonies[1])).toMatch(/^the election key is fixed/m);
    expect(json(ceremonies[2])).toMatchObject({ trustee: 3, phase: 'voting', qualified: [1, 2, 3], disqualified: [] });
    const shown = ok(await cairn('election', 'show', 'board'));
    expect(shown).toMatch(/^secret ballots: any 2 of 3 trustees decrypt; 1 choice per ballot; a later ballot replaces an earlier one$/m);
    expect(shown).toMatch(new RegExp(`^ {2}trustee 3: ${t3} \\(qualified\\)$`, 'm'));
    expect(shown).toMatch(/^key ceremony: done, election key [0-9a-f]{64}$/m);
    // Resumable: a second run finds the ceremony over.
    expect(ok(await cairn('trustee', 'ceremony', '--election', 'board', '--key', 't2'))).toMatch(/^the election key is fixed/m);

    const alice = await cairn('vote', 'cast', '--election', 'board', '--choice', 'ada', '--voter', 'alice');
    const aliceCode = /^encrypted ballot, tracking code ([0-9a-f]{64})$/m.exec(ok(alice))?.[1];
    expect(aliceCode, alice.stdout).toBeDefined();
    expect(alice.stdout).toMatch(/^counted in block \d+ /m);
    expect(alice.stdout.indexOf('tracking code')).toBeLessThan(alice.stdout.indexOf('counted in block'));

    const bobFirst = json<{ tracking: string; counted: unknown }>(
      await cairn('vote', 'cast', '--election', 'board', '--choice', 'grace', '--voter', 'bob', '--json'),
    );
    expect(bobFirst.counted).toBeTruthy();
    const bobAgain = json<{ tracking: string }>(
      await cairn('vote', 'cast', '--election', 'board', '--choice', 'ada', '--voter', 'bob', '--json'),
    );

    // The audit opens a ballot and does not cast it: the tally's turnout stays 2.
    const audit = ok(await cairn('vote', 'cast', '--election', 'board', '--choice', 'edsger', '--voter', 'dave', '--audit'));
    expect(audit).toMatch(/^tracking code: [0-9a-f]{64}$/m);
    expect(audit).toMatch(/^selections revealed: edsger$/m);
    expect(audit).toMatch(/^randomness of choice 3: [0-9a-f]{64}$/m);
    expect(audit).toMatch(/^re-encryption matches the ballot/m);
    expect(audit).toMatch(/^the ballot was spoiled, not cast/m);
    expectError(
      await cairn('vote', 'cast', '--election', 'board', '--choice', 'ada', '--choice', 'grace', '--voter', 'dave'),
      'BALLOT_BAD_CHOICE',
      /^Error: election 'board' takes 1 choice on a ballot, not 2/,
    );

    const replaced = ok(await cairn('vote', 'receipt', '--election', 'board', '--tracking', bobFirst.tracking));
    expect(replaced).toMatch(
      /^replaced: the ballot with tracking code [0-9a-f]{64} was counted in block \d+, then replaced by a later ballot of the same voter at height \d+; it no longer counts$/m,
    );
    expect(ok(await cairn('vote', 'receipt', '--election', 'board', '--tracking', bobAgain.tracking))).toMatch(/^found: /m);
    expect(ok(await cairn('vote', 'receipt', '--election', 'board', '--tracking', 'ab'.repeat(32)))).toMatch(/^not found: /m);
    expect(ok(await cairn('vote', 'receipt', '--election', 'board', '--voter', 'bob'))).toMatch(
      new RegExp(
        `with tracking code ${bobAgain.tracking} in election board[\\s\\S]*it replaces an earlier ballot of bob, which no longer counts`,
      ),
    );

    expect(ok(await cairn('vote', 'tally', '--election', 'board'))).toMatch(
      /^ {2}sealed: 2 ballots, decrypted once 2 of the 3 trustees post their shares \(0 so far\), after the close$/m,
    );
    expect(ok(await cairn('election', 'list'))).toMatch(/^board .* open, secret, 2 of 3 trustees /m);

    expectError(
      await cairn('trustee', 'decrypt', '--election', 'board', '--key', 't1'),
      'DECRYPT_TOO_EARLY',
      /^Error: refused: election 'board' is still open/,
    );
    ok(await cairn('election', 'close', '--id', 'board', '--creator', 'carol'));
    expect(ok(await cairn('trustee', 'decrypt', '--election', 'board', '--key', 't1'))).toMatch(
      /the result is not known yet: 1 of the 2 shares needed are on the chain/,
    );
    const decrypted = ok(await cairn('trustee', 'decrypt', '--election', 'board', '--key', 't3b'));
    expect(decrypted).toMatch(/^the result is known \(2 shares, from trustees 1, 3\):$/m);
    expect(decrypted).toMatch(/^ {2}ada: 2$/m);
    const tally = json<{ choices: Array<{ choice: string; votes: number }>; sealed: boolean }>(
      await cairn('vote', 'tally', '--election', 'board', '--json'),
    );
    expect(tally.sealed).toBe(false);
    expect(tally.choices).toEqual([
      { choice: 'ada', votes: 2 },
      { choice: 'edsger', votes: 0 },
      { choice: 'grace', votes: 0 },
    ]);

    const file = path.join(node.dir, 'board.json');
    expect(ok(await cairn('election', 'record', 'board', '--out', file))).toMatch(/^wrote the record of election board to /m);
    expectError(await cairn('election', 'record', 'board', '--out', file), 'RECORD_EXISTS', /exists already/);
    const verified = ok(await cairn('election', 'verify', file));
    expect(verified).toMatch(/3 ceremony keys, 3 deals, 0 complaints, 3 ballots \(1 revote\), 2 decryptions/);
    expect(verified).toMatch(/^result of election board: ada 2, grace 0, edsger 0 \(decrypted by trustees 1, 3\)$/m);
    expect(json<{ ok: boolean }>(await cairn('election', 'verify', 'board', '--json')).ok).toBe(true);
    expect(verified).toMatch(/^compared with the node at http:\/\/127\.0\.0\.1:\d+ \(height \d+\): same chain/m);

    // Made up under the real chain and election ids: another creator opens and closes it. It
    // holds together alone (--offline), and the node's chain does not know its opening.
    const made = JSON.parse(readFileSync(file, 'utf8'));
    const impostor = generateKeyPair();
    for (const entry of made.transactions) {
      if (!['election.open', 'election.close'].includes(entry.tx.type)) continue;
      const { sig: _sig, ...unsigned } = { ...entry.tx, from: impostor.publicKey };
      entry.tx = signTx(made.chainId, unsigned, privateKeyFromHex(impostor));
      entry.txId = txId(made.chainId, entry.tx);
    }
    const madeFile = path.join(node.dir, 'made-up.json');
    writeFileSync(madeFile, JSON.stringify(made));
    expect(ok(await cairn('election', 'verify', madeFile, '--offline'))).toMatch(/^offline: the record was not compared with a chain/m);
    expectError(
      await cairn('election', 'verify', madeFile),
      'RECORD_NOT_ON_CHAIN',
      /'chain' check: the record's opening transaction .* is not in that block/,
    );

    // Tampered: the claimed result, then one byte of a ballot.
    const record = JSON.parse(readFileSync(file, 'utf8'));
    const lying = structuredClone(record);
    lying.claimed.result.counts = [1, 1, 0];
    writeFileSync(file, JSON.stringify(lying));
    const lie = await cairn('election', 'verify', file);
    expectError(lie, 'RECORD_RESULT_MISMATCH', /^Error: the record fails the 'result' check: the record claims the result \[1, 1, 0\]/);

    const forged = structuredClone(record);
    const n = forged.transactions.findIndex((e: { tx: { type: string } }) => e.tx.type === 'ballot.encrypted');
    const sel = forged.transactions[n].tx.payload.ballot.selections[0];
    sel.b = (sel.b[0] === '0' ? '1' : '0') + sel.b.slice(1);
    writeFileSync(file, JSON.stringify(forged));
    const bad = await cairn('election', 'verify', file, '--json');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, transaction: n + 1 });
    expectError(await cairn('election', 'verify', file), JSON.parse(bad.stdout).code, new RegExp(`at transaction ${n + 1}: `));

    writeFileSync(file, '{"hello": 1}');
    expectError(await cairn('election', 'verify', file), 'RECORD_FORMAT', /is not an election record: /);
    writeFileSync(file, 'not json');
    expectError(await cairn('election', 'verify', file), 'RECORD_FORMAT', /is not an election record: /);
  }, 90_000);

  it.skipIf(!HAS_SCRIPT)(
    'the interactive prompt encrypts a ballot of a secret election and prints its tracking code',
    async () => {
      const secret = new SecretElectionClient(node.voting);
      const trustees = ['p1', 'p2'].map((name) => node.voting.keystore.create(name).publicKey);
      await node.voting.open(
        { id: 'chair', title: 'Chair', choices: ['ada', 'grace'], secret: { trustees, threshold: 2, min: 1, max: 2 } },
        'carol',
        { timeoutMs: 20_000 },
      );
      await Promise.all(['p1', 'p2'].map((t) => runTrusteeCeremony(secret, 'chair', t, { timeoutMs: 30_000 })));

      const t = new TerminalSession([process.execPath, CAIRN_BIN, 'vote', ...node.args]);
      try {
        await t.expect(/What would you like to do\?/);
        t.type(KEY.enter);
        await t.expect(/Voter id \(a key name\):/);
        t.type('pat' + KEY.enter);
        await t.expect(/Election:/);
        t.type(KEY.down + KEY.enter);
        await t.expect(/Your choices \(secret, 1 to 2\):/);
        t.type(' ' + KEY.down + ' ' + KEY.enter);
        const code = (await t.expect(/encrypted ballot, tracking code ([0-9a-f]{64})/))[1];
        await t.expect(/counted in block \d+/);
        await t.expect(new RegExp(`'pat' cast a secret ballot in election chair; its tracking code is ${code}`));
        await t.expect(/What would you like to do\?/);
        t.type(KEY.down + KEY.down + KEY.enter);
        await t.expect(/bye: 1 ballot counted in this session/);
        expect(await t.exited).toBe(0);
        expect(await secret.tracking('chair', code!)).toMatchObject({ found: true, replacedAt: null });
      } finally {
        t.kill();
      }
    },
    60_000,
  );
});
