import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CairnNode, Tx } from '../../../src/kernel/index.js';
import { blockVerdict, mempoolVerdict, mine, startVotingNode, Voter } from './voting-fixture.js';

/**
 * Every voting rule, judged twice: by the mempool (the code `mempool.add` refuses with) and by
 * the block pipeline (the code a block carrying the transactions is refused with). The same
 * validator runs on both paths, so the verdicts must be equal.
 */
describe('voting rules on the mempool path and the block path', () => {
  let node: CairnNode;
  let creator: Voter;
  let alice: Voter;
  let bob: Voter;
  let carol: Voter;

  beforeEach(async () => {
    node = await startVotingNode();
    [creator, alice, bob, carol] = Array.from({ length: 4 }, () => new Voter(node.chainId));
    // 'board': fixed choices, only alice and bob may vote; alice has voted.
    await mine(node, [
      creator.open({ id: 'board', title: 'Board', choices: ['ada', 'grace'], eligibility: { voters: [alice.publicKey, bob.publicKey] } }),
    ]);
    await mine(node, [alice.vote('board', 'ada')]);
  });
  afterEach(() => node.stop());

  /**
   * The mempool takes `txs` in order (all but the last must be accepted); a block of `txs` on
   * the tip gets the last one's verdict. Both must be `expected`.
   */
  async function expectVerdict(txs: Tx[], expected: string): Promise<void> {
    const verdicts: string[] = [];
    for (const tx of txs) verdicts.push(await mempoolVerdict(node, tx));
    expect(verdicts).toEqual([...txs.slice(0, -1).map(() => 'accepted'), expected]);
    expect(await blockVerdict(node, txs)).toBe(expected);
  }

  it('an unknown election is refused', async () => {
    await expectVerdict([bob.vote('nope', 'ada')], 'ELECTION_UNKNOWN');
  });

  it('an election id cannot be opened twice, in separate blocks or in one', async () => {
    await expectVerdict([carol.open({ id: 'board', title: 'Again', choices: ['x'] })], 'ELECTION_EXISTS');
    await expectVerdict([carol.open({ id: 'twice', title: 'One' }), bob.open({ id: 'twice', title: 'Two' })], 'ELECTION_EXISTS');
    await expectVerdict([carol.open({ id: 'default', title: 'Genesis' })], 'ELECTION_EXISTS');
  });

  it('a choice outside a fixed list is refused; any non-blank write-in is accepted', async () => {
    await expectVerdict([bob.vote('board', 'linus')], 'BALLOT_BAD_CHOICE');
    await expectVerdict([bob.vote('board', 'Ada')], 'BALLOT_BAD_CHOICE');
    await expectVerdict([bob.vote('default', '   ')], 'BALLOT_BAD_CHOICE');
    await expectVerdict([bob.vote('default', 'anything at all')], 'accepted');
    expect(node.chain.query('voting', 'tally', { election: 'default' })).toMatchObject({
      choices: [{ choice: 'anything at all', votes: 1 }],
    });
  });

  it('a key that is not on the voter list is refused; any key may vote in an open election', async () => {
    await expectVerdict([carol.vote('board', 'grace')], 'BALLOT_NOT_ELIGIBLE');
    await expectVerdict([carol.vote('default', 'grace')], 'accepted');
  });

  it('a second ballot of one voter is refused: after a block, while the first waits, and in one block', async () => {
    await expectVerdict([alice.vote('board', 'grace')], 'BALLOT_DUPLICATE');
    await expectVerdict([alice.vote('board', 'ada')], 'BALLOT_DUPLICATE'); // same choice, new nonce
    await expectVerdict([bob.vote('board', 'grace'), bob.vote('board', 'ada')], 'BALLOT_DUPLICATE');
    // The same voter may vote once in every election.
    await expectVerdict([alice.vote('default', 'grace')], 'accepted');
  });

  it('only the creator closes an election, once; ballots after the close are refused', async () => {
    await expectVerdict([alice.close('board')], 'ELECTION_NOT_CREATOR');
    await expectVerdict([carol.close('default')], 'ELECTION_NOT_CREATOR'); // the genesis election has no creator
    await expectVerdict([creator.close('board'), bob.vote('board', 'grace')], 'ELECTION_CLOSED');
    await mine(node, [creator.close('board')]);
    await expectVerdict([bob.vote('board', 'grace')], 'ELECTION_CLOSED');
    await expectVerdict([creator.close('board')], 'ELECTION_CLOSED');
    expect(node.chain.query('voting', 'tally', { election: 'board' })).toMatchObject({ closed: true, turnout: 1 });
  });

  it('a ballot counts up to the closing height and not after it', async () => {
    const closesAt = node.chain.tip().height + 2;
    await expectVerdict(
      [creator.open({ id: 'short', title: 'Short', choices: ['y', 'n'], closesAt: node.chain.tip().height + 1 })],
      'ELECTION_BAD_CLOSES_AT',
    );
    await mine(node, [creator.open({ id: 'short', title: 'Short', choices: ['y', 'n'], closesAt })]);
    await expectVerdict([alice.vote('short', 'y')], 'accepted'); // in the block at `closesAt`
    expect(node.chain.tip().height).toBe(closesAt);
    await expectVerdict([bob.vote('short', 'n')], 'ELECTION_CLOSED');
    await expectVerdict([creator.close('short')], 'ELECTION_CLOSED');
  });

  it('a ballot signed for another chain is refused by its signature', async () => {
    // Same app, same election id, different genesis: another chain id.
    const other = await startVotingNode({ appParams: { voting: { defaultElection: { id: 'default', title: 'Elsewhere', choices: [] } } } });
    try {
      expect(other.chainId).not.toBe(node.chainId);
      const foreign = new Voter(other.chainId);
      const ballot = foreign.vote('default', 'grace');
      expect(await mempoolVerdict(other, ballot)).toBe('accepted');
      await expectVerdict([ballot], 'TX_BAD_SIGNATURE');
    } finally {
      await other.stop();
    }
  });

  it('a ballot cannot be moved to another election or another choice', async () => {
    await mine(node, [
      creator.open({ id: 'second', title: 'Second', choices: ['ada', 'grace'], eligibility: { voters: [bob.publicKey] } }),
    ]);
    const ballot = bob.vote('board', 'grace');
    await expectVerdict([{ ...ballot, payload: { election: 'second', choice: 'grace' } }], 'TX_BAD_SIGNATURE');
    await expectVerdict([{ ...ballot, payload: { election: 'board', choice: 'ada' } }], 'TX_BAD_SIGNATURE');
    await expectVerdict([{ ...ballot, from: carol.publicKey }], 'TX_BAD_SIGNATURE');
    await expectVerdict([ballot], 'accepted');
  });

  it('payloads outside the schema are refused before any rule runs', async () => {
    const bad = (payload: unknown) => ({ ...bob.vote('board', 'ada'), payload });
    await expectVerdict([bad({ election: 'board' })], 'TX_BAD_PAYLOAD');
    await expectVerdict([bad({ election: 'Board:1', choice: 'ada' })], 'TX_BAD_PAYLOAD');
    await expectVerdict([bad({ election: 'board', choice: 'ada', extra: 1 })], 'TX_BAD_PAYLOAD');
    await expectVerdict([carol.open({ id: 'dup', title: 'Dup', choices: ['a', 'a'] })], 'TX_BAD_PAYLOAD');
    await expectVerdict([carol.open({ id: 'keys', title: 'Keys', eligibility: { voters: ['not-a-key'] } })], 'TX_BAD_PAYLOAD');
  });
});
