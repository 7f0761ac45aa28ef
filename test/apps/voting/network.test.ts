import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import type { Receipt } from '../../../src/apps/voting/index.js';
import type { CairnNode } from '../../../src/kernel/index.js';
import { buildBlock, extend } from '../../support/chain-fixture.js';
import { waitForAgreement } from '../../support/memory-net.js';
import { waitFor } from '../../support/wait.js';
import { counts, mempoolVerdict, tally, Voter } from './voting-fixture.js';
import { startVotingNet, type VotingNet } from './voting-net.js';

describe('voting across nodes', () => {
  let net: VotingNet | undefined;
  afterEach(async () => {
    await net?.stop();
    net = undefined;
  });
  const start = async (count: number, config = {}) => {
    net = await startVotingNet(count, config);
    const seed = net.seed;
    onTestFailed(() => console.error(`memory network seed: ${seed} (replay with CAIRN_SEED=${seed})`));
    return net;
  };

  const receipt = (node: CairnNode, voter: Voter) =>
    node.chain.query('voting', 'receipt', { election: 'default', voter: voter.publicKey }) as Receipt;
  const settled = (nodes: CairnNode[]) =>
    waitFor('one tip and empty mempools everywhere', () =>
      nodes.every((n) => n.chain.tip().hash === nodes[0]!.chain.tip().hash && n.mempool.size === 0),
    );

  it('one voter sending different ballots to two nodes at the same moment is counted once everywhere', async () => {
    const { nodes } = await start(3);
    const [a, b] = nodes as [CairnNode, CairnNode];
    const voter = new Voter(a.chainId);
    const yes = voter.vote('default', 'yes');
    const no = voter.vote('default', 'no');
    // Neither node has seen the other ballot: both accept.
    expect(await Promise.all([mempoolVerdict(a, yes), mempoolVerdict(b, no)])).toEqual(['accepted', 'accepted']);
    // The worst case: both mine at once, so each ballot is counted on a branch of its own.
    await Promise.all([a.chain.submitBlock(buildBlock(a, [yes])), b.chain.submitBlock(buildBlock(b, [no]))]);
    expect([counts(a, 'default'), counts(b, 'default')]).toEqual([{ yes: 1 }, { no: 1 }]);
    // a's branch grows; everyone switches to it, and b's ballot, back from its lost block, is refused.
    await extend(a, 1);
    await settled(nodes);
    for (const node of nodes) {
      expect(tally(node, 'default')).toMatchObject({ choices: [{ choice: 'yes', votes: 1 }], turnout: 1 });
      expect(receipt(node, voter)).toEqual(receipt(a, voter));
    }
    expect(receipt(a, voter)).toMatchObject({ counted: true, choice: 'yes', height: 1 });
  });

  it('with real miners on every node, a double vote raced through two nodes is counted once', async () => {
    const { nodes } = await start(3, { mine: 'on-demand', miners: 1 });
    const voter = new Voter(nodes[0]!.chainId);
    const verdicts = await Promise.all([
      mempoolVerdict(nodes[0]!, voter.vote('default', 'yes')),
      mempoolVerdict(nodes[1]!, voter.vote('default', 'no')),
    ]);
    expect(verdicts.filter((v) => v === 'accepted').length).toBeGreaterThanOrEqual(1);
    // Miners stop when their mempool is empty, so two equal branches may stand side by side:
    // a few more voters keep blocks coming until one branch wins.
    const others: Voter[] = [];
    await waitFor(
      'one tip and empty mempools everywhere',
      async () => {
        if (nodes.every((n) => n.chain.tip().hash === nodes[0]!.chain.tip().hash && n.mempool.size === 0)) return true;
        if (nodes.every((n) => n.mempool.size === 0)) {
          const other = new Voter(nodes[0]!.chainId);
          others.push(other);
          await nodes[others.length % nodes.length]!.mempool.add(other.vote('default', 'other'));
        }
        return false;
      },
      30_000,
      300,
    );
    for (const node of nodes) {
      const c = counts(node, 'default');
      expect((c.yes ?? 0) + (c.no ?? 0)).toBe(1);
      expect(c.other ?? 0).toBe(others.length);
      expect(tally(node, 'default').turnout).toBe(1 + others.length);
      expect(receipt(node, voter)).toEqual(receipt(nodes[0]!, voter));
    }
  });

  it('ballots in a block that loses a fork are counted after the reorg: none lost, none doubled', async () => {
    const { nodes, network, addressOf } = await start(2);
    const [left, right] = nodes as [CairnNode, CairnNode];
    const [v1, v2, v3, v4] = Array.from({ length: 4 }, () => new Voter(left.chainId)) as [Voter, Voter, Voter, Voter];
    network.partition([addressOf(0)], [addressOf(1)]);

    // Left: one block counting v1 (x), v2 (x) and v3 (y).
    const v2Ballot = v2.vote('default', 'x');
    for (const tx of [v1.vote('default', 'x'), v2Ballot, v3.vote('default', 'y')]) await left.mempool.add(tx);
    const lost = await left.chain.submitBlock(buildBlock(left, left.mempool.pending()));
    expect(receipt(left, v3)).toMatchObject({ counted: true, blockHash: lost.hash });

    // Right: the same ballot of v2, a different ballot of v1 (z), then v4 (y) in a second block.
    for (const tx of [v2Ballot, v1.vote('default', 'z')]) await right.mempool.add(tx);
    await right.chain.submitBlock(buildBlock(right, right.mempool.pending()));
    await right.mempool.add(v4.vote('default', 'y'));
    await right.chain.submitBlock(buildBlock(right, right.mempool.pending()));

    network.heal();
    await waitForAgreement(nodes);
    // v3's ballot lost its block and waits again; v1's first ballot is refused, its second stands.
    await waitFor('the returned ballot to wait on both nodes', () => nodes.every((n) => n.mempool.size === 1));
    expect(left.mempool.pending()[0]!.from).toBe(v3.publicKey);
    const recounted = await right.chain.submitBlock(buildBlock(right, right.mempool.pending()));
    await settled(nodes);

    for (const node of nodes) {
      expect(tally(node, 'default')).toMatchObject({ turnout: 4 });
      expect(counts(node, 'default')).toEqual({ x: 1, y: 2, z: 1 });
      expect(receipt(node, v1)).toMatchObject({ counted: true, choice: 'z', height: 1 });
      expect(receipt(node, v3)).toMatchObject({ counted: true, choice: 'y', blockHash: recounted.hash, height: 3 });
      expect((await node.chain.verify()).ok).toBe(true);
    }
  });
});
