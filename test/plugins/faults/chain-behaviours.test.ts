import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { headerHash, type Block, type CairnNode, type ReorgEvent } from '../../../src/kernel/index.js';
import { buildBlock, EASY_TARGET, extend, Signer } from '../../support/chain-fixture.js';
import { waitForAgreement } from '../../support/memory-net.js';
import { hearing, honestReady, isBanned, rejectionsFrom, startFaultNet, type FaultNet } from '../../support/fault-net.js';
import { waitFor } from '../../support/wait.js';

/** Faults whose blocks are valid: only fork choice, re-requests and the mempool defend. */
describe('faults: valid-but-hostile chains', () => {
  let net: FaultNet | undefined;
  afterEach(async () => {
    await net?.stop();
    net = undefined;
  });
  const start = async (options: Parameters<typeof startFaultNet>[0]) => {
    net = await startFaultNet(options);
    const seed = net.seed;
    onTestFailed(() => console.error(`fault network seed: ${seed} (replay with CAIRN_SEED=${seed})`));
    await honestReady(net);
    return net as FaultNet & { honest: [CairnNode, CairnNode] };
  };

  it('less-work-chain: a longer but lighter fork is stored and never becomes the tip', async () => {
    const { honest } = await start({
      faulty: [['less-work-chain']],
      fixture: { config: { difficulty: 'asert', initialTarget: EASY_TARGET, blockTime: 1 } },
    });
    await extend(honest[0], 5);
    const tip = await waitForAgreement(honest);
    const before = honest.map((h) => h.reader.blockCount());
    await waitFor(
      'the lighter fork stored by both honest nodes',
      () => honest.every((h, i) => h.reader.blockCount() >= before[i]! + 3),
      15_000,
    );
    for (const h of honest) expect(h.chain.tip()).toMatchObject({ hash: tip, height: 5 });
  }, 30_000);

  it('withholding: a released private branch wins by work, and the transaction of the orphaned block is mined again', async () => {
    const { honest, faulty } = await start({ faulty: [['withholding=3']] });
    await waitForAgreement([...honest, ...faulty]);
    const reorgs: ReorgEvent[] = [];
    honest[1].events.on('reorg', (e) => reorgs.push(e));
    const alice = new Signer(honest[0].chainId);
    await honest[0].mempool.add(alice.claim('public'));
    await waitFor('the claim in both mempools', () => honest.every((h) => h.mempool.size === 1));
    // Honest mining, slower than the secret miner: each public block takes what waits in the mempool.
    const mine = async () => void (await honest[0].chain.submitBlock(buildBlock(honest[0], honest[0].mempool.pending())));
    const names = (h: CairnNode) => h.chain.query('registry', 'names') as string[];
    await waitFor(
      'a withheld branch to replace public blocks, and the claim to be mined again',
      async () => {
        await mine();
        return reorgs.length > 0 && honest.every((h) => names(h).includes('public'));
      },
      30_000,
      400,
    );
    await faulty[0]!.stop();
    await mine();
    await waitForAgreement(honest);
    expect(reorgs.some((r) => r.depth >= 1)).toBe(true);
    for (const h of honest) expect(names(h)).toEqual(['public']);
    for (const h of honest) expect(isBanned(h, net!.keyOf(faulty[0]!))).toBe(false);
  }, 45_000);

  it('equivocation: two blocks at one height to different peers; both honest nodes take the lower hash at once, without a next block', async () => {
    const { honest, faulty } = await start({ faulty: [['equivocation']] });
    const equivocator = net!.keyOf(faulty[0]!);
    // Blocks the equivocator pushes unasked, as each honest node receives them.
    const pushed = honest.map((h) => hearing(h, (x) => x.from === equivocator && x.message.t === 'blocks' && x.message.req === undefined));
    const pushedAt = (i: number, height: number) =>
      pushed[i]!.flatMap((x) => (x.message.t === 'blocks' ? (x.message.blocks as Block[]) : []))
        .filter((b) => b.header.height === height)
        .map((b) => headerHash(b.header));
    await extend(honest[0], 1);
    await waitForAgreement(honest);
    await waitFor('a block at height 2 pushed to each honest node', () => honest.every((_, i) => pushedAt(i, 2).length > 0), 20_000);
    // Nothing else is mined from here: honest nodes mine only what a test builds, and the equivocator is gone.
    await faulty[0]!.stop();
    const [a, b] = [pushedAt(0, 2)[0]!, pushedAt(1, 2)[0]!];
    expect(a, 'the two honest nodes were pushed the same block').not.toBe(b);
    const lower = a < b ? a : b;
    await waitFor(
      'both honest nodes on the lower-hash block of the two',
      () => honest.every((h) => h.chain.tip().hash === lower),
      5_000,
    ).catch((err: Error) => {
      throw new Error(
        `${err.message}: tips ${honest.map((h) => `${h.chain.tip().height}:${h.chain.tip().hash.slice(0, 8)}`).join(', ')}; lower ${lower.slice(0, 8)}`,
      );
    });
    // Both blocks reached both nodes (one tip, one side block), and no third block came to decide for them.
    for (const [i, h] of honest.entries()) {
      expect(h.reader.has(a) && h.reader.has(b)).toBe(true);
      expect(h.chain.tip().height).toBe(2);
      expect(pushedAt(i, 3)).toEqual([]);
    }
  }, 40_000);

  it('announce-no-serve: the node that never serves what it announces is counted as stalling and the others carry on', async () => {
    const { honest, faulty } = await start({ faulty: [['announce-no-serve']] });
    await waitFor(
      'STALL counted by an honest node',
      () => honest.some((h) => (rejectionsFrom(h, net!.keyOf(faulty[0]!)).STALL ?? 0) > 0),
      20_000,
    );
    await extend(honest[0], 2);
    await waitForAgreement(honest);
    expect(honest[1].chain.tip().height).toBe(2);
  }, 40_000);
});
