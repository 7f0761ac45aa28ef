import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHAIN_READER, type BlockEvent, type CairnNode, type ChainReader } from '../../src/kernel/index.js';
import { extend, Signer, startNode } from '../support/chain-fixture.js';

/** The read-only face of the chain, over a real engine on the memory store with real blocks. */
describe('ChainReader', () => {
  let node: CairnNode;
  let reader: ChainReader;
  let alice: Signer;

  beforeEach(async () => {
    node = await startNode();
    reader = node.resolve<ChainReader>(CHAIN_READER);
    alice = new Signer(node.chainId);
  });
  afterEach(() => node.stop());

  it('is the one registered under CHAIN_READER, and starts at genesis', () => {
    expect(node.reader).toBe(reader);
    expect(reader.chainId).toBe(node.chainId);
    expect(reader.tip()).toMatchObject({ hash: node.chainId, height: 0 });
    expect(reader.genesis().hash).toBe(node.chainId);
    expect(reader.height()).toBe(0);
    expect(reader.blockCount()).toBe(1);
  });

  it('finds blocks and headers by hash and by height, on the best chain and off it', async () => {
    const [a1, a2, a3] = await extend(node, 3, { txs: [[alice.claim('ada')], [], []] });
    const [side] = await extend(node, 1, { parent: a1, txs: [[alice.claim('bob')]] });

    expect(reader.tip()).toMatchObject({ hash: a3, height: 3 });
    expect(reader.hashAt(1)).toBe(a1);
    expect(reader.hashAt(2)).toBe(a2);
    expect(reader.hashAt(4)).toBeUndefined();
    expect((await reader.blockAt(1))!.txs).toHaveLength(1);
    expect(await reader.blockAt(9)).toBeUndefined();
    expect((await reader.block(side!))!.header.prev).toBe(a1);
    expect(reader.header(a2!)).toMatchObject({ height: 2, prev: a1 });
    expect(reader.entry(side!)).toMatchObject({ hash: side, status: 'unchecked' });
    expect(reader.entry(a2!)!.status).toBe('valid');
    expect(reader.entry(side!)!.parent!.hash).toBe(a1);
    expect(reader.has(side!) && reader.isOnBestChain(a2!)).toBe(true);
    expect(reader.isOnBestChain(side!)).toBe(false);
    expect(reader.has('0'.repeat(64)) || reader.isOnBestChain('0'.repeat(64))).toBe(false);
    expect(reader.blockCount()).toBe(5);
    expect(reader.medianTimePast()).toBe(reader.medianTimePast(a3));
    expect(reader.medianTimePast(a1)).toBe(reader.header(a1!)!.time);
  });

  it('reads app state and runs queries at the tip', async () => {
    await extend(node, 1, { txs: [[alice.claim('ada'), alice.claim('bob')]] });
    expect(reader.appIds()).toEqual(['registry']);
    expect(reader.apps().map((a) => a.id)).toEqual(['registry']);
    expect(reader.query('registry', 'count')).toBe(2);
    expect(reader.query('registry', 'owner', { name: 'ada' })).toMatchObject({ owner: alice.keys.publicKey, height: 1 });
    expect(reader.view('registry').get('claimed')).toBe(2);
    expect(() => reader.query('nope', 'count')).toThrow(expect.objectContaining({ code: 'APP_UNKNOWN' }));
    expect(() => reader.query('registry', 'nope')).toThrow(expect.objectContaining({ code: 'QUERY_UNKNOWN' }));
  });

  it('counts orphans, and delivers block events until unsubscribed', async () => {
    const other = await startNode();
    try {
      const [h1, h2] = await extend(other, 2);
      const [b1, b2] = [(await other.reader.block(h1!))!, (await other.reader.block(h2!))!];
      expect((await node.chain.submitBlock(b2)).status).toBe('orphan');
      expect(reader.orphanCount()).toBe(1);
      expect(reader.hasOrphan(h2!) && !reader.has(h2!)).toBe(true);

      const seen: BlockEvent[] = [];
      const off = reader.subscribe('block', (e) => seen.push(e));
      await node.chain.submitBlock(b1);
      off();
      await extend(node, 1);
      expect(seen.map((e) => e.hash)).toEqual([h1, h2]);
      expect(reader.orphanCount()).toBe(0);
      expect(reader.tip().height).toBe(3);
    } finally {
      await other.stop();
    }
  });
});
