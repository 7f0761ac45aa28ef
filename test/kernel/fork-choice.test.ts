import { afterEach, describe, expect, it } from 'vitest';
import { headerHash, type CairnNode } from '../../src/kernel/index.js';
import { buildBlock, extend, Signer, startNode } from '../support/chain-fixture.js';

/** What the original lost: a vote reported as added disappeared when its block lost a fork. */
describe('fork choice and reorgs', () => {
  const nodes: CairnNode[] = [];
  const start = async () => {
    const node = await startNode();
    nodes.push(node);
    return node;
  };
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });

  it('switches to the heavier branch, restores app state exactly, and returns losing transactions to the mempool', async () => {
    const node = await start();
    const alice = new Signer(node.chainId);
    const bob = new Signer(node.chainId);
    const carol = new Signer(node.chainId);
    const [common] = await extend(node, 1, { txs: [[alice.claim('common')]] });

    // Branch A (becomes the tip first): two blocks, claims by bob.
    const bobs = [bob.claim('b1'), bob.claim('b2')];
    await extend(node, 2, { parent: common, txs: [[bobs[0]!], [bobs[1]!]] });
    expect(node.chain.query('registry', 'count')).toBe(3);

    // Branch B: three blocks from the same parent, one of bob's claims and new ones by carol.
    const carols = [carol.claim('c1'), carol.claim('c2')];
    const events: Array<{ depth: number }> = [];
    node.events.on('reorg', (e) => events.push(e));
    const [b1] = await extend(node, 1, { parent: common, txs: [[carols[0]!]] });
    // Its second block ties with branch A on work: built to lose the tie (the lower hash wins), so the switch comes with the third.
    let tie = buildBlock(node, [bobs[1]!], { parent: b1 });
    for (let t = tie.header.time + 1; headerHash(tie.header) < node.chain.tip().hash; t++)
      tie = buildBlock(node, [bobs[1]!], { parent: b1, time: t });
    const { hash: b2 } = await node.chain.submitBlock(tie);
    expect(events).toEqual([]);
    const [b3] = await extend(node, 1, { parent: b2, txs: [[carols[1]!]] });
    const branchB = [b1, b2, b3];

    expect(node.chain.tip().hash).toBe(branchB[2]);
    expect(events).toEqual([expect.objectContaining({ depth: 2, connected: 3 })]);
    expect(node.chain.query('registry', 'names')).toEqual(['b2', 'c1', 'c2', 'common']);

    // b1 was only in the losing branch: it is waiting again, not lost; b2 is in both: not doubled.
    expect(node.mempool.pending()).toEqual([bobs[0]]);

    // The state equals a replay of the winning branch from genesis, on a node that never saw the fork.
    const replay = await start();
    for (let h = 1; h <= node.chain.tip().height; h++) await replay.chain.submitBlock(await node.chain.blockAt(h));
    expect(replay.chain.tip().hash).toBe(node.chain.tip().hash);
    for (const q of ['names', 'count']) expect(node.chain.query('registry', q)).toEqual(replay.chain.query('registry', q));
    expect(node.chain.query('registry', 'owner', { name: 'b2' })).toEqual(replay.chain.query('registry', 'owner', { name: 'b2' }));
    expect(await node.chain.verify()).toMatchObject({ ok: true, height: 4 });

    // The returned transaction is mined next.
    await node.chain.submitBlock(buildBlock(node, node.mempool.pending()));
    expect(node.mempool.size).toBe(0);
    expect(node.chain.query('registry', 'owner', { name: 'b1' })).toMatchObject({ owner: bob.keys.publicKey });
  });

  it('chooses by cumulative work, not by length', async () => {
    // ASERT makes a block after a long gap easier, so a longer branch of late blocks can carry
    // less work than a shorter branch of punctual ones.
    const node = await startNode({ config: { difficulty: 'asert', blockTime: 1 } });
    nodes.push(node);
    const t0 = Date.now() - 3 * 3600_000;
    const b1 = (await node.chain.submitBlock(buildBlock(node, [], { time: t0 }))).hash;
    const submit = async (parent: string, time: number) => (await node.chain.submitBlock(buildBlock(node, [], { parent, time }))).hash;

    const a2 = await submit(b1, t0 + 2_000_000);
    const a3 = await submit(a2, t0 + 2_001_000);
    const a4 = await submit(a3, t0 + 2_002_000);
    expect(node.chain.tip().hash).toBe(a4);

    const c2 = await submit(b1, t0 + 1_000);
    const c3 = await submit(c2, t0 + 2_000);
    const reader = node.reader;
    expect(reader.entry(c3)!.header.height).toBeLessThan(reader.entry(a4)!.header.height);
    expect(reader.entry(c3)!.totalWork).toBeGreaterThan(reader.entry(a4)!.totalWork);
    expect(node.chain.tip().hash).toBe(c3);
    expect((await node.chain.verify()).ok).toBe(true);
  });

  it('at equal work the lower hash wins, in whichever order the two blocks arrive', async () => {
    const a = await start();
    const b = await start();
    const genesis = a.chain.genesis().hash;
    const time = a.chain.tip().header.time + 1;
    const one = buildBlock(a, [], { parent: genesis, time });
    const two = buildBlock(a, [], { parent: genesis, time: time + 1 });
    const low = [headerHash(one.header), headerHash(two.header)].sort()[0];
    // a sees one first, b sees two first: each keeps or takes the lower, with no next block needed.
    expect((await a.chain.submitBlock(one)).status).toBe('connected');
    await a.chain.submitBlock(two);
    expect((await b.chain.submitBlock(two)).status).toBe('connected');
    await b.chain.submitBlock(one);
    expect(a.chain.tip().hash).toBe(low);
    expect(b.chain.tip().hash).toBe(low);
    for (const node of [a, b]) expect((await node.chain.verify()).ok).toBe(true);
  });

  it('a pending transaction that a new block makes invalid leaves the mempool', async () => {
    const node = await start();
    const alice = new Signer(node.chainId);
    const bob = new Signer(node.chainId);
    await node.mempool.add(alice.claim('contested'));
    // Another miner's block gives the name to bob first.
    await node.chain.submitBlock(buildBlock(node, [bob.claim('contested')]));
    expect(node.mempool.size).toBe(0);
    expect(node.chain.query('registry', 'owner', { name: 'contested' })).toMatchObject({ owner: bob.keys.publicKey });
  });
});
