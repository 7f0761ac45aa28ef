import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlockRejection, TxRejection, type CairnNode } from '../../src/kernel/index.js';
import { SignatureCache } from '../../src/kernel/tx/signature-cache.js';
import { buildBlock, Signer, startNode } from '../support/chain-fixture.js';

describe('signature cache', () => {
  let node: CairnNode;
  beforeEach(async () => {
    node = await startNode();
  });
  afterEach(() => node.stop());

  it('a signature verified on mempool entry is not trusted for another signature over the same content', async () => {
    const alice = new Signer(node.chainId);
    const tx = alice.claim('cached');
    await node.mempool.add(tx);
    // Same id (the id covers everything but the signature), another signature: verified afresh.
    const forged = { ...tx, sig: tx.sig.slice(0, -2) + (tx.sig.endsWith('00') ? '01' : '00') };
    const refusal = await node.chain.submitBlock(buildBlock(node, [forged])).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(BlockRejection);
    expect((refusal as BlockRejection).details?.txCode).toBe('TX_BAD_SIGNATURE');
    expect(() => node.txRules.checkStateless(forged)).toThrow(TxRejection);
    // The verified one is accepted in a block.
    expect((await node.chain.submitBlock(buildBlock(node, [tx]))).status).toBe('connected');
  });

  it('keeps two generations: a full young generation becomes the old one', () => {
    const cache = new SignatureCache(2);
    cache.add('a', 's');
    cache.add('b', 's');
    cache.add('c', 's'); // 'a' and 'b' move to the old generation
    expect([cache.has('a', 's'), cache.has('b', 's'), cache.has('c', 's'), cache.has('a', 't')]).toEqual([true, true, true, false]);
    cache.add('d', 's');
    cache.add('e', 's'); // 'c' and 'd' become old; 'a' and 'b' are forgotten
    expect([cache.has('a', 's'), cache.has('c', 's'), cache.has('e', 's')]).toEqual([false, true, true]);
  });
});
