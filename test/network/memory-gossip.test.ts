import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { buildBlock, extend, Signer } from '../support/chain-fixture.js';
import { startMemoryNet, waitForAgreement, type MemoryNet } from '../support/memory-net.js';
import { waitFor } from '../support/wait.js';

describe('gossip on the memory transport', () => {
  let net: MemoryNet | undefined;
  afterEach(async () => {
    await net?.stop();
    net = undefined;
  });
  const start = async (count: number, options = {}) => {
    net = await startMemoryNet(count, options);
    const seed = net.seed;
    onTestFailed(() => console.error(`memory network seed: ${seed} (replay with CAIRN_SEED=${seed})`));
    return net;
  };
  const ready = (n: MemoryNet) =>
    waitFor('peers to be ready', () => n.nodes.every((x) => x.network!.book.ready().length === n.nodes.length - 1));

  it('a block found on any node reaches all, and transactions spread to every mempool', async () => {
    const { nodes } = await start(3);
    await ready(net!);
    await extend(nodes[1]!, 3);
    const tip = await waitForAgreement(nodes);
    expect(nodes.map((n) => n.chain.tip().height)).toEqual([3, 3, 3]);

    const alice = new Signer(nodes[0]!.chainId);
    await nodes[2]!.mempool.add(alice.claim('gossip'));
    await waitFor('the transaction in every mempool', () => nodes.every((n) => n.mempool.size === 1));
    await nodes[0]!.chain.submitBlock(buildBlock(nodes[0]!, nodes[0]!.mempool.pending()));
    await waitFor('the block everywhere', () => nodes.every((n) => n.chain.tip().hash !== tip && n.mempool.size === 0));
    await waitForAgreement(nodes);
    for (const n of nodes) expect(n.chain.query('registry', 'names')).toEqual(['gossip']);
  });

  it('a node joining late syncs a 2,000-block chain headers-first and agrees', async () => {
    const { nodes } = await start(2);
    await ready(net!);
    await extend(nodes[0]!, 2000);
    await waitForAgreement(nodes, 60_000);
    const late = await net!.add();
    await waitForAgreement([...nodes, late], 60_000);
    expect(late.chain.tip().height).toBe(2000);
    expect((await late.chain.verify()).ok).toBe(true);
  });

  it('after a partition heals there is one tip and every transaction from both sides is included', async () => {
    const { nodes, network } = await start(4);
    await ready(net!);
    network.partition([net!.addressOf(0), net!.addressOf(1)], [net!.addressOf(2), net!.addressOf(3)]);
    const left = new Signer(nodes[0]!.chainId);
    const right = new Signer(nodes[0]!.chainId);
    await nodes[0]!.mempool.add(left.claim('left'));
    await nodes[2]!.mempool.add(right.claim('right'));
    await waitFor('each side to share its transaction', () => nodes[1]!.mempool.size === 1 && nodes[3]!.mempool.size === 1);
    await nodes[0]!.chain.submitBlock(buildBlock(nodes[0]!, nodes[0]!.mempool.pending()));
    await extend(nodes[2]!, 1, { txs: [nodes[2]!.mempool.pending()] });
    await extend(nodes[2]!, 1);
    await waitFor('each side to agree within itself', () => nodes[1]!.chain.tip().height === 1 && nodes[3]!.chain.tip().height === 2);

    network.heal();
    await waitForAgreement(nodes);
    expect(nodes[0]!.chain.tip().height).toBe(2);
    // The left side's claim lost its block but is back in the mempools; the next block takes it.
    await waitFor('the returned transaction to wait everywhere', () => nodes.every((n) => n.mempool.size === 1));
    await extend(nodes[1]!, 1, { txs: [nodes[1]!.mempool.pending()] });
    await waitForAgreement(nodes);
    for (const n of nodes) expect(n.chain.query('registry', 'names')).toEqual(['left', 'right']);
  });
});
