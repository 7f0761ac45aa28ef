import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { votingApp, DEVNET_VOTING_PARAMS, type Receipt } from '../../src/apps/voting/index.js';
import type { CairnNode } from '../../src/kernel/index.js';
import { Voter, tally } from '../apps/voting/voting-fixture.js';
import { honestReady, startFaultNet, type FaultNet } from '../support/fault-net.js';
import { seededRandom, testSeed } from '../support/resilience.js';
import { waitFor } from '../support/wait.js';

const BALLOTS_PER_SIDE = 6;

describe('partition into halves, ballots on both sides, then heal (memory transport, seeded)', () => {
  let net: FaultNet | undefined;
  afterEach(async () => {
    await net?.stop();
    net = undefined;
  });

  it('both halves count their own ballots; after the heal one tip within 10 s and every ballot counted once', async () => {
    const seed = testSeed();
    const random = seededRandom(seed);
    net = await startFaultNet({
      honest: 4,
      faulty: [],
      link: { seed, latencyMs: 2, jitterMs: 3 },
      fixture: { apps: [votingApp], appParams: { voting: DEVNET_VOTING_PARAMS } },
      honestConfig: { mine: 'on-demand', miners: 1 },
    });
    const nodes = net.honest;
    await honestReady(net);
    const address = (n: CairnNode) => {
      const [host, port] = net!.keyOf(n).split(':');
      return { host: host!, port: Number(port) };
    };
    const left = nodes.slice(0, 2);
    const right = nodes.slice(2);
    net.network.partition(left.map(address), right.map(address));
    const receipt = (n: CairnNode, voter: Voter) =>
      n.chain.query('voting', 'receipt', { election: 'default', voter: voter.publicKey }) as Receipt;
    const ballots: Array<{ name: string; voter: Voter; choice: string }> = [];
    // What each node holds, printed should the test fail.
    const show = () =>
      nodes
        .map((n, i) => {
          const uncounted = ballots.filter((b) => !receipt(n, b.voter).counted).length;
          return `node ${i}: height ${n.chain.tip().height} tip ${n.chain.tip().hash.slice(0, 8)} mempool ${n.mempool.size} uncounted ${uncounted}`;
        })
        .join('; ');
    onTestFailed(() => console.error(show()));

    // The seed picks each ballot's choice and the node it goes through, so a failing run replays.
    const chainId = nodes[0]!.chainId;
    const cast = async (side: CairnNode[], name: string) => {
      const voter = new Voter(chainId);
      const choice = ['tea', 'coffee', 'water'][Math.floor(random() * 3)]!;
      await side[Math.floor(random() * side.length)]!.mempool.add(voter.vote('default', choice));
      return { name, voter, choice };
    };
    for (let i = 0; i < BALLOTS_PER_SIDE; i++) ballots.push(await cast(left, `left-${i}`), await cast(right, `right-${i}`));
    // One voter tries both halves: each half counts it, and after the heal only one of the two may stand.
    const both = new Voter(chainId);
    await left[0]!.mempool.add(both.vote('default', 'left-side'));
    await right[0]!.mempool.add(both.vote('default', 'right-side'));

    const countedOn = (side: CairnNode[], sideBallots: typeof ballots) =>
      side.every((n) => n.chain.tip().hash === side[0]!.chain.tip().hash && sideBallots.every((b) => receipt(n, b.voter).counted));
    await waitFor(
      'each half to count its own ballots on one tip of its own',
      () =>
        countedOn(
          left,
          ballots.filter((b) => b.name.startsWith('left')),
        ) &&
        countedOn(
          right,
          ballots.filter((b) => b.name.startsWith('right')),
        ),
      30_000,
    );
    expect(left[0]!.chain.tip().hash).not.toBe(right[0]!.chain.tip().hash);
    expect(receipt(left[0]!, both)).toMatchObject({ counted: true, choice: 'left-side' });
    expect(receipt(right[0]!, both)).toMatchObject({ counted: true, choice: 'right-side' });

    const healed = Date.now();
    net.network.heal();
    // The losing half's ballots come back from its dropped blocks and are mined again on the winner.
    await waitFor(
      'one tip with every ballot counted everywhere',
      () =>
        nodes.every((n) => n.chain.tip().hash === nodes[0]!.chain.tip().hash && n.mempool.size === 0) &&
        nodes.every((n) => ballots.every((b) => receipt(n, b.voter).counted)),
      10_000,
      20,
    );
    const agreementMs = Date.now() - healed;

    const expected: Record<string, number> = {};
    for (const b of ballots) expected[b.choice] = (expected[b.choice] ?? 0) + 1;
    const bothChoice = receipt(nodes[0]!, both);
    expect(bothChoice.counted).toBe(true);
    if (bothChoice.counted && 'choice' in bothChoice) expected[bothChoice.choice] = 1;
    for (const n of nodes) {
      const t = tally(n, 'default');
      expect(Object.fromEntries(t.choices.filter((c) => c.votes > 0).map((c) => [c.choice, c.votes]))).toEqual(expected);
      expect(t.turnout).toBe(2 * BALLOTS_PER_SIDE + 1);
      for (const b of ballots) expect(receipt(n, b.voter)).toMatchObject({ counted: true, choice: b.choice });
      expect(receipt(n, both)).toEqual(bothChoice);
    }
    console.info(`partition healed: one tip with all ${ballots.length + 1} ballots in ${agreementMs} ms (seed ${seed})`);
  }, 60_000);
});
