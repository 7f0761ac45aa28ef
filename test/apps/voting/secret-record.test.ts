import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { txId, type CairnNode, type Tx } from '../../../src/kernel/index.js';
import { verifyElectionRecord, type ElectionRecordFile, type RecordVerdict } from '../../../src/apps/voting/index.js';
import { mine, startVotingNode } from './voting-fixture.js';
import { recordOf, runCeremony, SecretVoter, secretView } from './secret-fixture.js';
import { decodePoint, encodeBallot, encryptBallot, randomScalar, sub } from '../../../src/apps/voting/crypto/index.js';

type Failure = Extract<RecordVerdict, { ok: false }>;

describe('election verify on tampered records', () => {
  let node: CairnNode;
  let record: ElectionRecordFile;
  const signers = new Map<string, SecretVoter>();

  beforeAll(async () => {
    node = await startVotingNode();
    const creator = new SecretVoter(node.chainId);
    const trustees = [0, 1, 2].map(() => new SecretVoter(node.chainId));
    const voters = [0, 1, 2].map(() => new SecretVoter(node.chainId));
    for (const s of [creator, ...trustees, ...voters]) signers.set(s.publicKey, s);
    const secret = { trustees: trustees.map((t) => t.publicKey), threshold: 2, revote: true };
    await mine(node, [creator.open({ id: 'board', title: 'Board', choices: ['ada', 'grace'], secret })]);
    await runCeremony(node, 'board', trustees);
    await mine(
      node,
      voters.map((v, i) => v.seal(node, 'board', [i === 1 ? 'grace' : 'ada']).tx),
    );
    await mine(node, [voters[2]!.seal(node, 'board', ['grace']).tx], [creator.close('board')]);
    await mine(node, [trustees[0]!.decrypt(node, 'board'), trustees[2]!.decrypt(node, 'board')]);
    record = await recordOf(node, 'board');
  });
  afterAll(() => node.stop());

  const copy = () => structuredClone(record);
  const fails = (r: ElectionRecordFile) => {
    const v = verifyElectionRecord(r);
    expect(v.ok).toBe(false);
    return v as Failure;
  };
  const index = (r: ElectionRecordFile, type: string, nth = 0) => r.transactions.filter((e) => e.tx.type === type)[nth]!;
  /** What a voter or trustee who lies would post: the same transaction with a changed payload, signed again. */
  const resign = (r: ElectionRecordFile, entry: ElectionRecordFile['transactions'][number], change: (payload: never) => void) => {
    const payload = structuredClone(entry.tx.payload) as never;
    change(payload);
    const tx: Tx = signers.get(entry.tx.from)!.tx(entry.tx.app, entry.tx.type, payload);
    const at = r.transactions.indexOf(entry);
    r.transactions[at] = { ...entry, tx, txId: txId(r.chainId, tx) };
    return at + 1;
  };

  it('passes the honest record: every ballot, the revote, both decryptions and the result', () => {
    expect(verifyElectionRecord(record)).toMatchObject({
      ok: true,
      counts: { transactions: 17, ceremonyKeys: 3, deals: 3, ballots: 4, revotes: 1, decryptions: 2 },
      result: { counts: [1, 2] },
    });
  });

  it('names the claimed result that the decryptions do not give', () => {
    const r = copy();
    r.claimed.result!.counts = [2, 1];
    expect(fails(r)).toMatchObject({ check: 'result', code: 'RECORD_RESULT_MISMATCH' });
  });

  it('names a ballot changed after it was signed, and one whose voter is another key', () => {
    const r = copy();
    const ballot = index(r, 'ballot.encrypted');
    const p = ballot.tx.payload as { ballot: { selections: Array<{ a: string }> } };
    p.ballot.selections[0]!.a = p.ballot.selections[1]!.a;
    expect(fails(r)).toMatchObject({ check: 'transaction id', code: 'RECORD_BAD_TX_ID' });
    ballot.txId = txId(r.chainId, ballot.tx);
    expect(fails(r)).toMatchObject({ check: 'signature', code: 'TX_BAD_SIGNATURE' });
  });

  it('names a proof that does not verify, a malformed point, a share with a bad proof, each by its rule', () => {
    let r = copy();
    let n = resign(r, index(r, 'ballot.encrypted', 1), (p: { ballot: { selections: Array<{ b: string }> } }) => {
      p.ballot.selections.reverse();
    });
    expect(fails(r)).toMatchObject({ check: 'rule', code: 'BALLOT_BAD_PROOF', transaction: n });

    r = copy();
    n = resign(r, index(r, 'ballot.encrypted', 0), (p: { ballot: { selections: Array<{ b: string }> } }) => {
      p.ballot.selections[0]!.b = '00'.repeat(31) + '80';
    });
    expect(fails(r)).toMatchObject({ check: 'rule', code: 'BALLOT_MALFORMED', transaction: n });

    r = copy();
    n = resign(r, index(r, 'trustee.decrypt', 1), (p: { shares: Array<{ d: string }> }) => {
      p.shares.reverse();
    });
    expect(fails(r)).toMatchObject({ check: 'rule', code: 'DECRYPT_BAD_SHARE', transaction: n });
  });

  it('names ballots added to the record whose A parts cancel (r and −r): the shares bind the whole tally', () => {
    const r = copy();
    const view = secretView(node, 'board');
    const y = decodePoint(view.key, 'key');
    const rule = { choices: 2, min: 1, max: 1 };
    const rs = [randomScalar(), randomScalar()];
    const forged = [rs, rs.map((x) => sub(0n, x))].map((randomness) => {
      const voter = new SecretVoter(node.chainId);
      const queue = [...randomness];
      const ctx = { chainId: node.chainId, electionId: 'board', signer: voter.publicKey };
      const { ballot } = encryptBallot(ctx, y, rule, [1, 0], () => queue.shift() ?? randomScalar());
      const tx = voter.tx('voting', 'ballot.encrypted', { election: 'board', ballot: encodeBallot(ballot) });
      return { ...index(r, 'ballot.encrypted', 3), tx, txId: txId(r.chainId, tx) };
    });
    r.transactions.splice(r.transactions.indexOf(index(r, 'election.close')), 0, ...forged);
    expect(fails(r)).toMatchObject({ check: 'rule', code: 'DECRYPT_BAD_SHARE' });
  });

  it('names a dropped ballot by the sums, a share moved before the close, and a foreign transaction', () => {
    let r = copy();
    r.transactions.splice(r.transactions.indexOf(index(r, 'ballot.encrypted', 0)), 1);
    // The trustees decrypted the sums with that ballot in them: their shares no longer fit.
    expect(fails(r)).toMatchObject({ check: 'rule', code: 'DECRYPT_BAD_SHARE' });
    // A record cut before the decryptions, its claims left as they were before the cut.
    r.transactions = r.transactions.filter((e) => e.tx.type !== 'trustee.decrypt');
    r.claimed.result = null;
    expect(fails(r)).toMatchObject({ check: 'turnout', code: 'RECORD_SUM_MISMATCH' });
    r.claimed.turnout = 2;
    // With the turnout edited to match, the sums still give the dropped ballot away.
    expect(fails(r)).toMatchObject({ check: 'sums', code: 'RECORD_SUM_MISMATCH' });

    r = copy();
    const share = index(r, 'trustee.decrypt');
    r.transactions.splice(r.transactions.indexOf(share), 1);
    r.transactions.splice(r.transactions.indexOf(index(r, 'election.close')), 0, share);
    expect(fails(r)).toMatchObject({ code: 'DECRYPT_TOO_EARLY' });

    r = copy();
    const other = new SecretVoter(node.chainId).tx('voting', 'ballot.cast', { election: 'default', choice: 'x' });
    r.transactions.push({ ...r.transactions.at(-1)!, tx: other, txId: txId(r.chainId, other) });
    expect(fails(r)).toMatchObject({ check: 'membership', code: 'RECORD_FOREIGN_TX' });

    expect(fails({ ...copy(), format: 'something else' } as never)).toMatchObject({ code: 'RECORD_FORMAT' });
    // Shapes that made the verifier throw: each is a verdict, before anything is walked.
    const badCounts = copy();
    (badCounts.claimed.result as unknown as { counts: string }).counts = 'abc';
    expect(fails(badCounts)).toMatchObject({ code: 'RECORD_FORMAT', message: expect.stringContaining('claimed.result') });
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(fails({ ...copy(), claimed: { ...record.claimed, sums: deep as never } })).toMatchObject({ code: 'RECORD_FORMAT' });
    expect(fails({ ...copy(), pad: 'x'.repeat(1000) } as never)).toMatchObject({ code: 'RECORD_FORMAT' });
    const badEntry = copy();
    (badEntry.transactions[2] as unknown as { blockHash: object }).blockHash = {};
    expect(fails(badEntry)).toMatchObject({
      code: 'RECORD_FORMAT',
      message: expect.stringContaining('transactions[2].blockHash must be text'),
    });
    // Ids and signatures cover the chain id: the record cannot be passed off as another chain's.
    expect(fails({ ...copy(), chainId: 'f'.repeat(64) })).toMatchObject({ code: 'RECORD_BAD_TX_ID', transaction: 1 });
  });
});
