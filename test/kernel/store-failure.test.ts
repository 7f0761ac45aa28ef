import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  headerHash,
  merkleRoot,
  STORE,
  StoreError,
  TxRejection,
  txId,
  type Block,
  type CairnNode,
  type StoreStatus,
  type Tx,
} from '../../src/kernel/index.js';
import { faults, type FaultyStore } from '../../src/plugins/faults/index.js';
import { buildBlock, extend, sealInProcess, Signer, startNode, tempDir } from '../support/chain-fixture.js';
import { injectedFull } from '../support/small-disk.js';
import { waitFor } from '../support/wait.js';

/**
 * A store write that fails (a full disk, injected by the faults plugin's disk-full fault on a
 * memory store) must leave memory as the store is: nothing half-admitted, nothing connected
 * whose batch was not written, and everything judged again once the store writes.
 */
describe('a store write that fails', () => {
  let node: CairnNode;
  let dir: ReturnType<typeof tempDir>;
  let disk: ReturnType<typeof injectedFull>;
  let alice: Signer;
  const storeEvents: StoreStatus[] = [];

  beforeEach(async () => {
    dir = tempDir('cairn-full-');
    disk = injectedFull(dir.path);
    storeEvents.length = 0;
    node = await startNode({ config: { storeProbeMs: 20 }, plugins: [faults({ faults: [`disk-full=${disk.flag}`] })] });
    node.events.on('store', (s) => storeEvents.push(s));
    alice = new Signer(node.chainId);
  });

  afterEach(async () => {
    await node.stop();
    dir.remove();
  });

  const writableAgain = () => waitFor('the store to take writes again', () => node.storeHealth.writable, 5000);

  it('leaves no transaction in the mempool, refuses with a StoreError, and judges the retry again', async () => {
    const tx = alice.claim('first');
    const relayed: string[] = [];
    node.events.on('tx', (e) => relayed.push(e.id));
    disk.fill();
    const err = await node.mempool.add(tx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('STORE_FULL');
    expect(node.mempool.size).toBe(0);
    expect(node.mempool.holdsCopyOf(tx)).toBe(false);
    expect(node.mempool.pending()).toEqual([]);
    expect(relayed).toEqual([]);
    // While the store is not writable, the next one is refused at once, with the same code.
    expect(((await node.mempool.add(alice.claim('second')).catch((e: unknown) => e)) as StoreError).code).toBe('STORE_FULL');

    disk.unfill();
    await writableAgain();
    // Judged anew, not "already known": written, then announced once.
    const { id } = await node.mempool.add(tx);
    expect(node.mempool.has(id)).toBe(true);
    expect(relayed).toEqual([id]);
    expect(storeEvents.map((s) => s.writable)).toEqual([false, true]);
  });

  it('takes back a whole batch and rebuilds the view, so that a conflicting transaction is judged on what was written', async () => {
    const bob = new Signer(node.chainId);
    await node.mempool.add(alice.claim('kept'));
    disk.fill();
    // Same tick, same batch: both fail together.
    const results = await Promise.allSettled([node.mempool.add(alice.claim('lost-a')), node.mempool.add(alice.claim('lost-b'))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(node.mempool.size).toBe(1);
    disk.unfill();
    await writableAgain();
    // 'lost-a' was never admitted: another voter can claim it now; 'kept' is still taken.
    await node.mempool.add(bob.claim('lost-a'));
    expect(((await node.mempool.add(bob.claim('kept')).catch((e: unknown) => e)) as TxRejection).code).toBe('NAME_TAKEN');
  });

  it('connects no block whose batch failed: tree, orphan pool and state stay as they were', async () => {
    await extend(node, 2);
    const tipBefore = node.chain.tip();
    const treeSize = node.reader.blockCount();
    const claimed = node.chain.query('registry', 'count');
    const parent = buildBlock(node, [alice.claim('in-block')]);
    // Its child arrives first and waits as an orphan.
    const child = childOf(parent, [], node.chainId);
    expect((await node.chain.submitBlock(child)).status).toBe('orphan');
    const orphansBefore = node.reader.orphanCount();

    disk.fill();
    const err = await node.chain.submitBlock(parent).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(node.chain.tip()).toEqual(tipBefore);
    expect(node.reader.blockCount()).toBe(treeSize);
    expect(node.reader.has(headerHash(parent.header))).toBe(false);
    expect(node.reader.orphanCount()).toBe(orphansBefore);
    expect(node.reader.hasOrphan(headerHash(child.header))).toBe(true);
    expect(node.chain.query('registry', 'count')).toBe(claimed);
    expect(await node.chain.block(headerHash(parent.header))).toBeUndefined();

    disk.unfill();
    await writableAgain();
    // Offered again it is judged as new (not BLOCK_KNOWN), and its waiting child follows it.
    const outcome = await node.chain.submitBlock(parent);
    expect(outcome.status).toBe('connected');
    expect(node.chain.tip().hash).toBe(headerHash(child.header));
    expect(node.chain.query('registry', 'count')).toBe((claimed as number) + 1);
    expect((await node.chain.verify()).ok).toBe(true);
  });

  it('a run whose blocks were stored but whose tip move failed moves the tip once the store writes again', async () => {
    const bob = new Signer(node.chainId);
    const tip = node.chain.tip();
    // From the tip: a valid block Y1, and X1 -> X2 where X2 fails only when applied (one name claimed twice).
    const y1 = buildBlock(node, [], { time: tip.header.time + 10 });
    const x1 = buildBlock(node, [], { time: tip.header.time + 20 });
    const x2 = childOf(x1, [alice.claim('twice'), bob.claim('twice')], node.chainId);
    const x2hash = headerHash(x2.header);
    // The disk fills just after the batch that records X2 as invalid (with the run's bodies) is written.
    (node.resolve(STORE) as FaultyStore).onBatch((ops, write) => {
      if (ops.some((op) => op.key === `H:${x2hash}` && op.type === 'put' && op.value.includes('"invalid"')))
        void write.then(() => disk.fill());
    });
    const err = await node.chain.submitBlocks([y1, x1, x2]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORE_FULL' });
    expect(node.chain.tip().hash).toBe(tip.hash);
    // Stored, so kept: nothing of it has to be fetched again.
    for (const b of [y1, x1, x2]) expect(node.reader.has(headerHash(b.header))).toBe(true);
    expect(node.reader.entry(x2hash)!.status).toBe('invalid');

    disk.unfill();
    await writableAgain();
    await waitFor('the tip to move without a new block', () => node.chain.tip().hash !== tip.hash, 5000);
    const winner = [headerHash(y1.header), headerHash(x1.header)].sort()[0];
    expect(node.chain.tip().hash).toBe(winner);
    expect((await node.chain.verify()).ok).toBe(true);
  });

  it('pauses the miner until the store writes again', async () => {
    await node.stop();
    node = await startNode({
      config: { storeProbeMs: 20, mine: 'always' },
      plugins: [faults({ faults: [`disk-full=${disk.flag}`] })],
    });
    await waitFor('a few blocks', () => node.miner.blocksMined >= 3, 10_000);
    disk.fill();
    await waitFor('the store to stop taking writes', () => !node.storeHealth.writable, 10_000);
    expect(node.miner.paused).toBe(true);
    const mined = node.miner.blocksMined;
    const height = node.chain.tip().height;
    // Five probes (each a refused write) come and go: time in which an unpaused miner at this target finds dozens of blocks.
    const probes = node.storeHealth.probes;
    await waitFor('five probes', () => node.storeHealth.probes >= probes + 5, 5000);
    expect(node.miner.blocksMined).toBe(mined);
    expect(node.chain.tip().height).toBe(height);
    disk.unfill();
    await writableAgain();
    await waitFor('mining to resume', () => node.miner.blocksMined > mined, 10_000);
    expect((await node.chain.verify()).ok).toBe(true);
  });

  it('bounds the mempool by bytes as well as by count: MEMPOOL_FULL, an ignore verdict', async () => {
    await node.stop();
    node = await startNode({ config: { mempoolBytes: 16 * 1024 } });
    let added = 0;
    let refusal: TxRejection | undefined;
    for (let i = 0; i < 200 && !refusal; i++) {
      try {
        await node.mempool.add(alice.claim(`name-${i}`));
        added++;
      } catch (err) {
        refusal = err as TxRejection;
      }
    }
    expect(refusal).toBeInstanceOf(TxRejection);
    expect(refusal).toMatchObject({ code: 'MEMPOOL_FULL', verdict: 'ignore' });
    expect(refusal!.message).toContain('16384 bytes');
    expect(node.mempool.byteSize).toBeLessThanOrEqual(16 * 1024);
    expect(added).toBeGreaterThan(10);
    expect(node.mempool.size).toBe(added);
  });
});

/** A child of `parent` with `txs` (on the fixed easy target), whether or not `parent` is known. */
function childOf(parent: Block, txs: Tx[], chainId: string): Block {
  return {
    header: sealInProcess({
      version: 1,
      height: parent.header.height + 1,
      prev: headerHash(parent.header),
      txRoot: merkleRoot(txs.map((tx) => txId(chainId, tx))),
      time: parent.header.time + 1,
      target: parent.header.target,
      nonce: 0,
    }),
    txs,
  };
}
