import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CairnNode } from '../../../src/kernel/index.js';
import { verifyElectionRecord, type Tally, type TrackingAnswer } from '../../../src/apps/voting/index.js';
import { blockVerdict, mempoolVerdict, mine, startVotingNode } from './voting-fixture.js';
import { recordOf, runCeremony, SecretVoter, secretView } from './secret-fixture.js';

const CHOICES = ['ada', 'grace', 'edsger'];

describe('a secret election on one node', () => {
  let node: CairnNode;
  let creator: SecretVoter;
  let trustees: SecretVoter[];

  beforeEach(async () => {
    node = await startVotingNode();
    creator = new SecretVoter(node.chainId);
    trustees = [0, 1, 2].map(() => new SecretVoter(node.chainId));
  });
  afterEach(() => node.stop());

  const open = (extra: { revote?: boolean; min?: number; max?: number } = {}) =>
    creator.open({
      id: 'board',
      title: 'Board',
      choices: CHOICES,
      secret: { trustees: trustees.map((t) => t.publicKey), threshold: 2, ...extra },
    });

  it('runs ceremony, ballots, a revote and a 2-of-3 decryption to a result the record proves', async () => {
    await mine(node, [open({ revote: true })]);
    const early = new SecretVoter(node.chainId);
    expect(
      await mempoolVerdict(node, early.tx('voting', 'ballot.encrypted', { election: 'board', ballot: { selections: [], count: [] } })),
    ).toBe('TX_BAD_PAYLOAD');
    await runCeremony(node, 'board', trustees);
    const view = secretView(node, 'board');
    expect(view).toMatchObject({ phase: 'voting', qualified: [1, 2, 3], disqualified: [] });

    const voters = [0, 1, 2, 3].map(() => new SecretVoter(node.chainId));
    const ballots = [['ada'], ['grace'], ['ada'], ['edsger']].map((c, i) => voters[i]!.seal(node, 'board', c));
    await mine(
      node,
      ballots.map((b) => b.tx),
    );
    // Voter 3 changes its mind: its earlier ballot leaves the sums.
    const revote = voters[3]!.seal(node, 'board', ['grace']);
    await mine(node, [revote.tx]);
    const tracked = (code: string) => node.chain.query('voting', 'tracking', { election: 'board', code }) as TrackingAnswer;
    expect(tracked(ballots[3]!.draft.tracking)).toMatchObject({
      found: true,
      voter: voters[3]!.publicKey,
      replacedAt: node.chain.tip().height,
    });
    expect(tracked(revote.draft.tracking)).toMatchObject({ found: true, replacedAt: null });
    expect(node.chain.query('voting', 'receipt', { election: 'board', voter: voters[3]!.publicKey })).toMatchObject({
      counted: true,
      tracking: revote.draft.tracking,
      replaces: 1,
    });
    expect(node.chain.query('voting', 'tally', { election: 'board' })).toMatchObject({ choices: [], turnout: 4, sealed: true });

    expect(await mempoolVerdict(node, trustees[0]!.decrypt(node, 'board'))).toBe('DECRYPT_TOO_EARLY');
    await mine(node, [creator.close('board')]);
    // Trustee 2 never decrypts; 1 and 3 are enough.
    await mine(node, [trustees[0]!.decrypt(node, 'board')]);
    expect((node.chain.query('voting', 'tally', { election: 'board' }) as Tally).sealed).toBe(true);
    await mine(node, [trustees[2]!.decrypt(node, 'board')]);
    const tally = node.chain.query('voting', 'tally', { election: 'board' }) as Tally;
    expect(tally).toMatchObject({ sealed: false, turnout: 4 });
    expect(Object.fromEntries(tally.choices.map((c) => [c.choice, c.votes]))).toEqual({ ada: 2, grace: 2, edsger: 0 });
    expect(await mempoolVerdict(node, trustees[1]!.decrypt(node, 'board'))).toBe('DECRYPT_DONE');

    const verdict = verifyElectionRecord(await recordOf(node, 'board'));
    expect(verdict).toMatchObject({ ok: true, counts: { ballots: 5, revotes: 1, decryptions: 2, ceremonyKeys: 3, deals: 3 } });
    expect(verdict.ok && verdict.result?.counts).toEqual([2, 2, 0]);
  });

  it('refuses each bad ballot and share under its own code', async () => {
    await mine(node, [open()]);
    const voter = new SecretVoter(node.chainId);
    expect(await mempoolVerdict(node, voter.tx('voting', 'ballot.cast', { election: 'board', choice: 'ada' }))).toBe('ELECTION_SECRET');
    await runCeremony(node, 'board', trustees);

    // Copied: another voter's ciphertexts and proofs under my key.
    const honest = voter.seal(node, 'board', ['ada']);
    const thief = new SecretVoter(node.chainId);
    expect(await mempoolVerdict(node, thief.tx('voting', 'ballot.encrypted', honest.draft.payload))).toBe('BALLOT_BAD_PROOF');
    // Malformed: a point that is not a canonical encoding.
    const bad = structuredClone(honest.draft.payload);
    bad.ballot.selections[0]!.a = 'ff'.repeat(32);
    expect(await mempoolVerdict(node, voter.tx('voting', 'ballot.encrypted', bad))).toBe('BALLOT_MALFORMED');
    // The identity as a ciphertext point: only r = 0 gives it, which would post the vote in the clear.
    const clear = structuredClone(honest.draft.payload);
    clear.ballot.selections[1]!.a = '00'.repeat(32);
    expect(await mempoolVerdict(node, voter.tx('voting', 'ballot.encrypted', clear))).toBe('BALLOT_MALFORMED');
    // Too few selections for the choices.
    const short = structuredClone(honest.draft.payload);
    short.ballot.selections.pop();
    expect(await mempoolVerdict(node, voter.tx('voting', 'ballot.encrypted', short))).toBe('BALLOT_MALFORMED');

    await mine(node, [honest.tx]);
    expect(await mempoolVerdict(node, voter.seal(node, 'board', ['grace']).tx)).toBe('BALLOT_DUPLICATE');
    await mine(node, [creator.close('board')]);
    expect(await mempoolVerdict(node, new SecretVoter(node.chainId).seal(node, 'board', ['ada']).tx)).toBe('ELECTION_CLOSED');

    // A share under another trustee's verification key: valid proof, wrong key.
    const share = trustees[0]!.decrypt(node, 'board');
    const wrong = structuredClone(share.payload) as { election: string; shares: Array<{ d: string }> };
    wrong.shares[0]!.d = (trustees[1]!.decrypt(node, 'board').payload as typeof wrong).shares[0]!.d;
    expect(await mempoolVerdict(node, trustees[0]!.tx('voting', 'trustee.decrypt', wrong))).toBe('DECRYPT_BAD_SHARE');
    expect(await mempoolVerdict(node, new SecretVoter(node.chainId).tx('voting', 'trustee.decrypt', share.payload))).toBe(
      'TRUSTEE_UNKNOWN',
    );
    await mine(node, [share]);
    expect(await mempoolVerdict(node, trustees[0]!.decrypt(node, 'board'))).toBe('DECRYPT_DUPLICATE');
  });

  it('checks the open: fixed choices, a threshold the trustees can meet, selections that fit', async () => {
    const keys = trustees.map((t) => t.publicKey);
    const verdict = (secret: object, choices = CHOICES) =>
      mempoolVerdict(node, creator.open({ id: 'x', title: 'X', choices, secret: { trustees: keys, threshold: 2, ...secret } }));
    expect(await verdict({}, [])).toBe('ELECTION_BAD_SECRET');
    expect(await verdict({ threshold: 4 })).toBe('ELECTION_BAD_SECRET');
    expect(await verdict({ min: 2, max: 1 })).toBe('ELECTION_BAD_SECRET');
    expect(await verdict({ max: 4 })).toBe('ELECTION_BAD_SECRET');
    expect(await verdict({ min: 0, max: 3 })).toBe('accepted');
  });

  it('a ballot of "from 0 to 2" selections: an empty ballot and two selections both count', async () => {
    await mine(node, [open({ min: 0, max: 2 })]);
    await runCeremony(node, 'board', trustees);
    const a = new SecretVoter(node.chainId).seal(node, 'board', []);
    const b = new SecretVoter(node.chainId).seal(node, 'board', ['ada', 'edsger']);
    await mine(node, [a.tx, b.tx], [creator.close('board')]);
    await mine(node, [trustees[1]!.decrypt(node, 'board'), trustees[2]!.decrypt(node, 'board')]);
    const tally = node.chain.query('voting', 'tally', { election: 'board' }) as Tally;
    expect(Object.fromEntries(tally.choices.map((c) => [c.choice, c.votes]))).toEqual({ ada: 1, grace: 0, edsger: 1 });
  });

  it('disqualifies a dealer whose share fails, refuses a false complaint, and the rest still decrypt', async () => {
    await mine(node, [open()]);
    await mine(
      node,
      trustees.map((t) => t.ceremonyStep(node, 'board')!),
    );
    // Trustee 3 deals a bad share to trustee 1.
    const deals = trustees.map((t) => t.ceremonyStep(node, 'board')!);
    const cheat = structuredClone(deals[2]!.payload) as { election: string; deal: { shares: Array<{ value: string }> } };
    const v = cheat.deal.shares[0]!.value;
    cheat.deal.shares[0]!.value = (v[0] === '0' ? '1' : '0') + v.slice(1);
    deals[2] = trustees[2]!.tx('voting', 'trustee.deal', cheat);
    await mine(node, deals);
    const reviews = trustees.map((t) => t.ceremonyStep(node, 'board')!);
    expect((reviews[0]!.payload as { complaints: Array<{ dealer: number }> }).complaints.map((c) => c.dealer)).toEqual([3]);
    // Trustee 2 copies the complaint as its own: it does not hold for trustee 2's share.
    const lie = trustees[1]!.tx('voting', 'trustee.review', {
      election: 'board',
      complaints: (reviews[0]!.payload as { complaints: unknown[] }).complaints,
    });
    expect(await mempoolVerdict(node, lie)).toBe('CEREMONY_BAD_COMPLAINT');
    await mine(node, reviews);
    expect(secretView(node, 'board')).toMatchObject({ phase: 'voting', qualified: [1, 2], disqualified: [3] });

    const ballot = new SecretVoter(node.chainId).seal(node, 'board', ['grace']);
    await mine(node, [ballot.tx], [creator.close('board')]);
    const first = trustees[0]!.decrypt(node, 'board');
    expect(await mempoolVerdict(node, trustees[2]!.tx('voting', 'trustee.decrypt', first.payload))).toBe('DECRYPT_NOT_QUALIFIED');
    await mine(node, [first, trustees[1]!.decrypt(node, 'board')]);
    expect((node.chain.query('voting', 'tally', { election: 'board' }) as Tally).choices[0]).toEqual({ choice: 'grace', votes: 1 });
    expect(verifyElectionRecord(await recordOf(node, 'board'))).toMatchObject({ ok: true, counts: { complaints: 1 } });
  });

  it("refuses a deal that reuses another dealer's share key: a complaint about it would reveal that dealer's share", async () => {
    await mine(node, [open()]);
    await mine(
      node,
      trustees.map((t) => t.ceremonyStep(node, 'board')!),
    );
    const deals = trustees.map((t) => t.ceremonyStep(node, 'board')!);
    await mine(node, deals.slice(0, 2));
    // Trustee 3 posts, for trustee 1, the E that trustee 2 used for trustee 1: trustee 1's
    // complaint would publish K = p_1·E, which unlocks trustee 2's share for trustee 1.
    type DealPayload = { election: string; deal: { shares: Array<{ e: string }> } };
    const rogue = structuredClone(deals[2]!.payload) as DealPayload;
    rogue.deal.shares[0]!.e = (deals[1]!.payload as DealPayload).deal.shares[0]!.e;
    expect(await mempoolVerdict(node, trustees[2]!.tx('voting', 'trustee.deal', rogue))).toBe('CEREMONY_BAD_DEAL');
  });

  it("a block with a bad ballot is refused whole, with the ballot's code", async () => {
    await mine(node, [open()]);
    await runCeremony(node, 'board', trustees);
    const voter = new SecretVoter(node.chainId);
    const honest = voter.seal(node, 'board', ['ada']);
    const thief = new SecretVoter(node.chainId);
    expect(await blockVerdict(node, [thief.tx('voting', 'ballot.encrypted', honest.draft.payload)])).toBe('BALLOT_BAD_PROOF');
  });
});
