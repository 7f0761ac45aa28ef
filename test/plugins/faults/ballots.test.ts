import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { castBallot, votingApp, type Tally } from '../../../src/apps/voting/index.js';
import type { CairnNode } from '../../../src/kernel/index.js';
import { buildBlock, Signer } from '../../support/chain-fixture.js';
import { waitForAgreement } from '../../support/memory-net.js';
import { honestReady, isBanned, rejectionsFrom, startFaultNet, type FaultNet } from '../../support/fault-net.js';
import { waitFor } from '../../support/wait.js';

/** Ballot faults against two honest voting nodes that mine what their mempool holds. */
describe('faults: ballots', () => {
  let net: FaultNet | undefined;
  afterEach(async () => {
    await net?.stop();
    net = undefined;
  });

  it('double, replayed and ineligible ballots are refused under their codes and the tally counts each honest ballot once', async () => {
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
    onTestFailed(() =>
      console.error(
        honest.map((h) =>
          JSON.stringify({
            tip: h.chain.tip().height,
            hash: h.chain.tip().hash.slice(0, 8),
            mempool: h.mempool.size,
            ...h.network!.stats(),
          }),
        ),
      ),
    );
    while (honest.some((h) => h.mempool.size)) {
      const miner = honest.find((h) => h.mempool.size)!;
      await miner.chain.submitBlock(buildBlock(miner, miner.mempool.pending()));
      await waitForAgreement(honest, 30_000);
    }
    await waitForAgreement(honest);
    const tally = honest[0].chain.query('voting', 'tally', { election: 'default' }) as Tally;
    const votes = Object.fromEntries(tally.choices.map((c) => [c.choice, c.votes]));
    // Both honest ballots, once each; of each double ballot exactly one counted; nothing ineligible or replayed.
    expect(votes.honest).toBe(2);
    expect((votes['fault-a'] ?? 0) + (votes['fault-b'] ?? 0)).toBe(tally.turnout - 2);
    expect(votes.replayed).toBeUndefined();
    expect(honest[1].chain.query('voting', 'tally', { election: 'default' })).toEqual(tally);
  }, 60_000);
});
