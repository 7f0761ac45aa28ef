import { afterEach, describe, expect, it } from 'vitest';
import type { CairnNode } from '../../../src/kernel/index.js';
import type { TrackingAnswer } from '../../../src/apps/voting/index.js';
import { mine, startVotingNode } from './voting-fixture.js';
import { runCeremony, SecretVoter, secretView } from './secret-fixture.js';

const CHOICES = ['ada', 'grace', 'edsger'];

/** Every query a secret election answers, as one comparable value. */
function snapshot(node: CairnNode, voters: SecretVoter[], codes: string[]) {
  return {
    secret: secretView(node, 'board'),
    tally: node.chain.query('voting', 'tally', { election: 'board' }),
    election: node.chain.query('voting', 'election', { id: 'board' }),
    receipts: voters.map((v) => node.chain.query('voting', 'receipt', { election: 'board', voter: v.publicKey })),
    tracking: codes.map((code) => node.chain.query('voting', 'tracking', { election: 'board', code }) as TrackingAnswer),
  };
}

describe('a secret election across a reorg', () => {
  const nodes: CairnNode[] = [];
  afterEach(async () => {
    for (const n of nodes.splice(0)) await n.stop();
  });

  it('undoes ballots, a revote, decryptions and the result of the losing branch: state equals a replay of the winner', async () => {
    const a = await startVotingNode();
    const b = await startVotingNode();
    nodes.push(a, b);
    const creator = new SecretVoter(a.chainId);
    const trustees = [0, 1, 2].map(() => new SecretVoter(a.chainId));
    const voters = [0, 1, 2].map(() => new SecretVoter(a.chainId));
    await mine(a, [
      creator.open({
        id: 'board',
        title: 'Board',
        choices: CHOICES,
        secret: { trustees: trustees.map((t) => t.publicKey), threshold: 2, revote: true },
      }),
    ]);
    await runCeremony(a, 'board', trustees);
    // b follows a up to the fork point: the election has its key on both.
    for (let h = 1; h <= a.chain.tip().height; h++) await b.chain.submitBlock(await a.chain.blockAt(h));
    const fork = a.chain.tip().height;

    // Branch one, on a: two ballots, a revote, the close, trustees 1 and 2 decrypt.
    const one = [voters[0]!.seal(a, 'board', ['ada']), voters[1]!.seal(a, 'board', ['grace'])];
    await mine(
      a,
      one.map((x) => x.tx),
    );
    const revote = voters[0]!.seal(a, 'board', ['edsger']);
    await mine(a, [revote.tx], [creator.close('board')]);
    await mine(a, [trustees[0]!.decrypt(a, 'board'), trustees[1]!.decrypt(a, 'board')]);
    expect(secretView(a, 'board').result?.counts).toEqual([0, 1, 1]);

    // Branch two, on b, longer: other ballots (voter 0 once, for grace), trustees 2 and 3 decrypt.
    const two = [voters[0]!.seal(b, 'board', ['grace']), voters[2]!.seal(b, 'board', ['grace'])];
    await mine(
      b,
      two.map((x) => x.tx),
      [creator.close('board')],
    );
    await mine(b, [trustees[1]!.decrypt(b, 'board'), trustees[2]!.decrypt(b, 'board')], [], []);
    expect(secretView(b, 'board').result).toMatchObject({ counts: [0, 2, 0], trustees: [2, 3] });

    for (let h = fork + 1; h <= b.chain.tip().height; h++) await a.chain.submitBlock(await b.chain.blockAt(h));
    expect(a.chain.tip().hash).toBe(b.chain.tip().hash);
    const codes = [...one, revote, ...two].map((x) => x.draft.tracking);
    const after = snapshot(a, voters, codes);
    expect(after).toEqual(snapshot(b, voters, codes));
    expect(after.tracking.map((t) => t.found)).toEqual([false, false, false, true, true]);
    expect(after.secret).toMatchObject({ turnout: 2, decrypted: [2, 3] });

    // And a fresh node replaying the winner from genesis agrees with both.
    const replay = await startVotingNode();
    nodes.push(replay);
    for (let h = 1; h <= a.chain.tip().height; h++) await replay.chain.submitBlock(await a.chain.blockAt(h));
    expect(snapshot(replay, voters, codes)).toEqual(after);
    expect(await a.chain.verify()).toMatchObject({ ok: true });

    // The losing branch's transactions went back to a's mempool and were judged against the
    // winner, where the election is closed and decrypted: none of them can be mined any more.
    expect(a.mempool.pending()).toEqual([]);
  });
});
