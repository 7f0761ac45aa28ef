import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { castBallot, votingApp, type Receipt, type Tally } from '../../../src/apps/voting/index.js';
import { txId, type CairnNode, type Tx } from '../../../src/kernel/index.js';
import { buildBlock, Signer } from '../../support/chain-fixture.js';
import { waitForAgreement } from '../../support/memory-net.js';
import { hearing, honestReady, isBanned, rejectionsFrom, startFaultNet, type FaultNet } from '../../support/fault-net.js';
import { waitFor } from '../../support/wait.js';

/** Ballot faults against two honest voting nodes that mine what their mempool holds. */
describe('faults: ballots', () => {
  let net: FaultNet | undefined;
  afterEach(async () => {
    await net?.stop();
    net = undefined;
  });

  it('double, replayed and ineligible ballots are refused under their codes; the tally counts each honest ballot once and one ballot of each double voter, exactly once', async () => {
    const names = ['double-ballot', 'replayed-ballot', 'ineligible-ballot'];
    net = await startFaultNet({ faulty: names.map((n) => [n]), fixture: { apps: [votingApp] } });
    const seed = net.seed;
    onTestFailed(() => console.error(`fault network seed: ${seed} (replay with CAIRN_SEED=${seed})`));
    const honest = net.honest as [CairnNode, CairnNode];
    await honestReady(net);
    const voters = [new Signer(honest[0].chainId), new Signer(honest[0].chainId)];
    for (const [i, v] of voters.entries())
      await honest[i]!.mempool.add(v.tx('voting', 'ballot.cast', castBallot('default', 'honest').payload));

    const key = (i: number) => net!.keyOf(net!.faulty[i]!);
    // The double ballots as they reach the honest nodes: the voters whose pairs must each count once.
    const isDouble = (tx: Tx) =>
      tx.app === 'voting' && tx.type === 'ballot.cast' && /^fault-[ab]$/.test((tx.payload as { choice?: string }).choice ?? '');
    const doubles = honest.map((h) =>
      hearing(h, (x) => x.from === key(0) && x.message.t === 'txs' && (x.message.txs as Tx[]).some(isDouble)),
    );
    const count = (code: string, i: number) => Math.min(...honest.map((h) => rejectionsFrom(h, key(i))[code] ?? 0));
    // Honest nodes mine what waits, so the ballots (and the faulty node's voter-list election) get mined.
    await waitFor(
      'every ballot fault detected by both honest nodes',
      async () => {
        const miner = honest[Math.floor(Math.random() * 2)]!;
        if (miner.mempool.size) await miner.chain.submitBlock(buildBlock(miner, miner.mempool.pending())).catch(() => undefined);
        return count('BALLOT_DUPLICATE', 0) > 0 && count('TX_BAD_SIGNATURE', 1) > 0 && count('BALLOT_NOT_ELIGIBLE', 2) > 0;
      },
      30_000,
      300,
    ).catch((err: Error) => {
      throw new Error(
        `${err.message}: ${[0, 1, 2].map((i) => honest.map((h) => JSON.stringify(rejectionsFrom(h, key(i)))).join(' / ')).join(' | ')}; height ${honest[0].chain.tip().height}`,
      );
    });
    expect(isBanned(honest[0], key(0))).toBe(false);
    expect(isBanned(honest[0], key(2))).toBe(false);
    await waitFor('the replayer banned', () => honest.every((h) => isBanned(h, key(1))), 15_000);

    for (const f of net.faulty) await f.stop();
    // What the faulty nodes sent before they stopped lands before the last blocks are mined.
    await net.network.idle();
    // Failure hooks run after afterEach has stopped the nodes: what to show is taken while they run.
    const snapshot = () =>
      honest.map((h) =>
        JSON.stringify({ tip: h.chain.tip().height, hash: h.chain.tip().hash.slice(0, 8), mempool: h.mempool.size, ...h.network!.stats() }),
      );
    let seen = snapshot();
    onTestFailed(() => console.error(seen));
    while (honest.some((h) => h.mempool.size)) {
      const miner = honest.find((h) => h.mempool.size)!;
      await miner.chain.submitBlock(buildBlock(miner, miner.mempool.pending()));
      await waitForAgreement(honest, 30_000).finally(() => (seen = snapshot()));
    }
    await waitForAgreement(honest);
    seen = snapshot();
    const tally = honest[0].chain.query('voting', 'tally', { election: 'default' }) as Tally;
    const votes = Object.fromEntries(tally.choices.map((c) => [c.choice, c.votes]));
    expect(honest[1].chain.query('voting', 'tally', { election: 'default' })).toEqual(tally);

    // Every ballot of the default election on the best chain, by voter.
    const onChain = new Map<string, Tx[]>();
    for (let height = 1; height <= honest[0].chain.tip().height; height++)
      for (const tx of (await honest[0].chain.blockAt(height))!.txs)
        if (tx.app === 'voting' && tx.type === 'ballot.cast' && (tx.payload as { election: string }).election === 'default')
          onChain.set(tx.from, [...(onChain.get(tx.from) ?? []), tx]);
    const doubleVoters = new Set(
      doubles
        .flatMap((d) => d.flatMap((x) => (x.message.t === 'txs' ? (x.message.txs as Tx[]) : [])))
        .filter(isDouble)
        .map((tx) => tx.from),
    );
    expect(doubleVoters.size, 'no double ballot reached the honest nodes').toBeGreaterThan(0);
    // Each double voter: exactly one of its two ballots on the chain, and that one is what both nodes count for it.
    const counted = { 'fault-a': 0, 'fault-b': 0 } as Record<string, number>;
    for (const voter of doubleVoters) {
      const ballots = onChain.get(voter) ?? [];
      expect(
        ballots.map((tx) => (tx.payload as { choice: string }).choice),
        `ballots of double voter ${voter.slice(0, 12)} on the chain`,
      ).toHaveLength(1);
      const [ballot] = ballots as [Tx];
      const choice = (ballot.payload as { choice: string }).choice;
      counted[choice]!++;
      for (const h of honest)
        expect(h.chain.query('voting', 'receipt', { election: 'default', voter }) as Receipt).toMatchObject({
          counted: true,
          choice,
          txId: txId(h.chainId, ballot),
        });
    }
    // Nobody else voted for the fault's choices, and the tally counts each voter's one ballot once: two honest, one per pair.
    expect([...onChain.keys()].filter((v) => !doubleVoters.has(v) && onChain.get(v)!.some(isDouble))).toEqual([]);
    expect(votes.honest).toBe(2);
    expect({ 'fault-a': votes['fault-a'] ?? 0, 'fault-b': votes['fault-b'] ?? 0 }).toEqual(counted);
    expect(tally.turnout).toBe(2 + doubleVoters.size);
    expect(onChain.size).toBe(2 + doubleVoters.size);
    expect(votes.replayed).toBeUndefined();
  }, 60_000);
});
