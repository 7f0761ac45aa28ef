import { afterEach, describe, expect, it } from 'vitest';
import { votingApp, type Receipt, type Tally } from '../../../src/apps/voting/index.js';
import type { CairnNode, StateView } from '../../../src/kernel/index.js';
import { buildBlock } from '../../support/chain-fixture.js';
import { counts, mine, startVotingNode, tally, Voter } from './voting-fixture.js';

describe('voting queries', () => {
  const nodes: CairnNode[] = [];
  const start = async (...args: Parameters<typeof startVotingNode>) => {
    const node = await startVotingNode(...args);
    nodes.push(node);
    return node;
  };
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });

  it('a receipt names the block that counted the ballot, and only once it is in a block', async () => {
    const node = await start();
    const voter = new Voter(node.chainId);
    const receipt = () => node.chain.query('voting', 'receipt', { election: 'default', voter: voter.publicKey }) as Receipt;

    const ballot = voter.vote('default', 'blue');
    await node.mempool.add(ballot);
    expect(receipt()).toEqual({ counted: false });
    const outcome = await node.chain.submitBlock(buildBlock(node, node.mempool.pending()));
    expect(outcome.status).toBe('connected');
    const block = await node.chain.blockAt(outcome.height);
    expect(block!.txs).toEqual([ballot]);
    expect(receipt()).toMatchObject({ counted: true, choice: 'blue', height: outcome.height, blockHash: outcome.hash });

    const other = new Voter(node.chainId);
    expect(node.chain.query('voting', 'receipt', { election: 'default', voter: other.publicKey })).toEqual({ counted: false });
    expect(() => node.chain.query('voting', 'receipt', { election: 'nope', voter: other.publicKey })).toThrow(
      expect.objectContaining({ code: 'ELECTION_UNKNOWN' }),
    );
    expect(() => node.chain.query('voting', 'receipt', { election: 'default', voter: 'alice' })).toThrow(
      expect.objectContaining({ code: 'QUERY_BAD_ARGS' }),
    );
  });

  it('the tally counts per choice with turnout; elections and eligibility are listed', async () => {
    const node = await start();
    const [creator, ...voters] = Array.from({ length: 7 }, () => new Voter(node.chainId));
    const listed = voters.slice(0, 5).map((v) => v.publicKey);
    await mine(node, [creator!.open({ id: 'lunch', title: 'Lunch', choices: ['soup', 'salad', 'pie'], eligibility: { voters: listed } })]);
    const choices = ['pie', 'soup', 'pie', 'pie', 'soup'];
    await mine(
      node,
      voters.slice(0, 3).map((v, i) => v.vote('lunch', choices[i]!)),
      voters.slice(3, 5).map((v, i) => v.vote('lunch', choices[3 + i]!)),
    );
    expect(tally(node, 'lunch')).toEqual({
      election: 'lunch',
      choices: [
        { choice: 'pie', votes: 3 },
        { choice: 'soup', votes: 2 },
        { choice: 'salad', votes: 0 },
      ],
      turnout: 5,
      closed: false,
      closesAt: null,
    } satisfies Tally);

    await mine(node, [voters[0]!.vote('default', 'b'), voters[1]!.vote('default', 'a'), voters[2]!.vote('default', 'b')]);
    expect(counts(node, 'default')).toEqual({ a: 1, b: 2 });

    const elections = node.chain.query('voting', 'elections') as Array<{ id: string; turnout: number; creator: string | null }>;
    expect(elections.map((e) => [e.id, e.turnout, e.creator])).toEqual([
      ['default', 3, null],
      ['lunch', 5, creator!.publicKey],
    ]);
    expect(node.chain.query('voting', 'election', { id: 'lunch' })).toMatchObject({ voters: 5, openedAt: 1, eligibility: 'list' });
    const eligible = (election: string, v: Voter) => node.chain.query('voting', 'eligible', { election, voter: v.publicKey });
    expect([eligible('lunch', voters[0]!), eligible('lunch', voters[5]!), eligible('default', voters[5]!)]).toEqual([true, false, true]);
  });

  it('a tally reads one counter per choice, however many ballots were cast', async () => {
    const node = await start();
    const creator = new Voter(node.chainId);
    await mine(node, [creator.open({ id: 'big', title: 'Big', choices: ['x', 'y', 'z'] })]);
    const reads = async (ballots: number) => {
      const voters = Array.from({ length: ballots }, () => new Voter(node.chainId));
      await mine(
        node,
        voters.map((v, i) => v.vote('big', ['x', 'y', 'z'][i % 3]!)),
      );
      let count = 0;
      const base = node.chain.view('voting');
      const counting: StateView = {
        get: (key) => (count++, base.get(key)),
        has: (key) => (count++, base.has(key)),
        entries: () => expect.unreachable('a tally must not scan state'),
      };
      const result = votingApp.queries.tally(counting, { election: 'big' }) as Tally;
      return { count, turnout: result.turnout };
    };
    const small = await reads(3);
    const large = await reads(300);
    expect(small.turnout).toBe(3);
    expect(large.turnout).toBe(303);
    expect(large.count).toBe(small.count);
    expect(large.count).toBeLessThanOrEqual(3 + 2); // the record, three counters, the turnout
  });

  it('genesis: the default write-in election unless appParams say otherwise; bad appParams stop the node', async () => {
    const node = await start();
    expect((node.chain.query('voting', 'elections') as Array<{ id: string }>).map((e) => e.id)).toEqual(['default']);
    expect(tally(node, 'default')).toMatchObject({ choices: [], turnout: 0 });

    const bare = await start({ appParams: { voting: {} } });
    expect(bare.chain.query('voting', 'elections')).toEqual([]);

    const fixed = await start({ appParams: { voting: { defaultElection: { id: 'colour', title: 'Colour', choices: ['red', 'blue'] } } } });
    expect(counts(fixed, 'colour')).toEqual({ red: 0, blue: 0 });

    await expect(start({ appParams: { voting: { defaultElection: { id: 'Bad Id', title: 'x', choices: [] } } } })).rejects.toMatchObject({
      code: 'APP_PARAMS_INVALID',
    });
  });
});
