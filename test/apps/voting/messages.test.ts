import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TxRejection, type CairnNode, type Tx } from '../../../src/kernel/index.js';
import { genesis } from '../../../src/apps/voting/index.js';
import { mine, startVotingNode, Voter } from './voting-fixture.js';

/** The sentence the mempool refuses `tx` with: what `cairn election open` shows after "refused:". */
async function refusal(node: CairnNode, tx: Tx): Promise<string> {
  const err = await node.mempool.add(tx).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TxRejection);
  return (err as TxRejection).message;
}

describe('voting refusals in words', () => {
  let node: CairnNode;
  let creator: Voter;

  beforeEach(async () => {
    node = await startVotingNode();
    creator = new Voter(node.chainId);
  });
  afterEach(() => node.stop());

  it('a payload that fails its schema is named by field and what is expected, not by ajv', async () => {
    expect(await refusal(node, creator.open({ id: 'drinks', title: 'Drinks', choices: ['tea', 'coffee', 'tea'] }))).toBe(
      "voting/election.open payload: choices must not repeat: 'tea' is given twice",
    );
    expect(await refusal(node, creator.open({ id: 'drinks', title: '   ' }))).toBe('voting/election.open payload: title must not be blank');
    expect(await refusal(node, creator.open({ id: 'Drinks!', title: 'Drinks' }))).toBe(
      "voting/election.open payload: id must be 1 to 64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit, not 'Drinks!'",
    );
  });

  it('closing a closed election says it is closed already, not that it takes no more ballots', async () => {
    await mine(node, [creator.open({ id: 'board', title: 'Board', choices: ['ada', 'grace'] })]);
    await mine(node, [creator.close('board')]);
    const height = node.chain.tip().height;
    expect(await refusal(node, creator.close('board'))).toBe(
      `election 'board' is already closed (its creator closed it at height ${height})`,
    );
  });

  it('bad appParams.voting name the field by its path', () => {
    expect(() => genesis({ defaultElection: { id: 'x', title: 'X', choices: ['a', 'a'] } })).toThrow(
      "appParams.voting.defaultElection.choices must not repeat: 'a' is given twice",
    );
  });
});
