import { writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError, type CairnNode } from '../../src/kernel/index.js';
import { buildBlock, extend, Signer, startNode, tempDir } from '../support/chain-fixture.js';

describe('a node on LevelDB', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  const open = async (dataDir: string, config = {}) => {
    const node = await startNode({ store: 'level', dataDir, config });
    cleanup.push(() => node.stop());
    return node;
  };

  it('restarts with its chain, app state and mempool, without replaying from genesis', async () => {
    const dir = tempDir();
    cleanup.push(dir.remove);
    let node: CairnNode = await open(dir.path);
    const alice = new Signer(node.chainId);
    await extend(node, 3, { txs: [[alice.claim('a')], [alice.claim('b')], []] });
    const waiting = alice.claim('waiting');
    await node.mempool.add(waiting);
    const tip = node.chain.tip();
    await node.stop();

    node = await open(dir.path);
    expect(node.chain.tip()).toEqual(tip);
    expect(node.chain.query('registry', 'names')).toEqual(['a', 'b']);
    expect(node.mempool.pending()).toEqual([waiting]);
    expect(await node.chain.verify()).toMatchObject({ ok: true, height: 3 });
  });

  it('persists reorgs atomically: after a restart the state is the winning branch', async () => {
    const dir = tempDir();
    cleanup.push(dir.remove);
    let node = await open(dir.path);
    const alice = new Signer(node.chainId);
    const loser = alice.claim('loser');
    await extend(node, 1, { txs: [[loser]] });
    await extend(node, 2, { parent: node.chain.genesis().hash, txs: [[alice.claim('winner')], []] });
    await node.stop();
    node = await open(dir.path);
    expect(node.chain.tip().height).toBe(2);
    expect(node.chain.query('registry', 'names')).toEqual(['winner']);
    expect(node.mempool.pending()).toEqual([loser]);
    await node.chain.submitBlock(buildBlock(node, node.mempool.pending()));
    expect(await node.chain.verify()).toMatchObject({ ok: true, height: 3 });
  });

  it('refuses a data dir of another chain, with a clear error and without touching it', async () => {
    const dir = tempDir();
    cleanup.push(dir.remove);
    const node = await open(dir.path);
    await extend(node, 1);
    await node.stop();
    const err = await startNode({ store: 'level', dataDir: dir.path, config: { blockTime: 99 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('STORE_FOREIGN');
    expect((err as StoreError).message).toMatch(/--data-dir/);
    const again = await open(dir.path);
    expect(again.chain.tip().height).toBe(1);
  });

  it('reports a damaged store instead of resetting it', async () => {
    const dir = tempDir();
    cleanup.push(dir.remove);
    const node = await open(dir.path);
    await extend(node, 2);
    await node.stop();
    const chainDir = join(dir.path, 'chain');
    for (const file of readdirSync(chainDir)) {
      if (/^(MANIFEST|CURRENT)/.test(file)) writeFileSync(join(chainDir, file), 'garbage');
    }
    const err = await startNode({ store: 'level', dataDir: dir.path }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('STORE_DAMAGED');
  });
});
