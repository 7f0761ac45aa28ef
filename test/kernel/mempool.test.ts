import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TxRejection, type CairnNode } from '../../src/kernel/index.js';
import { buildBlock, Signer, startNode } from '../support/chain-fixture.js';

describe('mempool', () => {
  let node: CairnNode;
  let alice: Signer;
  beforeEach(async () => {
    node = await startNode({ config: { mempoolLimit: 3 } });
    alice = new Signer(node.chainId);
  });
  afterEach(() => node.stop());

  const refusal = (raw: unknown) =>
    node.mempool.add(raw).then(
      () => expect.unreachable('accepted'),
      (err: unknown) => {
        expect(err).toBeInstanceOf(TxRejection);
        return err as TxRejection;
      },
    );

  it('judges each transaction on the tip plus what is already waiting', async () => {
    await node.mempool.add(alice.claim('one'));
    const bob = new Signer(node.chainId);
    const conflict = await refusal(bob.claim('one'));
    expect(conflict.code).toBe('NAME_TAKEN');
    expect((await refusal(alice.claim('NOPE'))).code).toBe('TX_BAD_PAYLOAD');
    expect((await refusal({ junk: true })).code).toBe('TX_MALFORMED');
    expect((await refusal({ ...alice.claim('big'), payload: { name: 'x'.repeat(20_000) } })).code).toBe('TX_TOO_LARGE');
  });

  it('de-duplicates, keeps arrival order, and is bounded', async () => {
    const txs = [alice.claim('a'), alice.claim('b'), alice.claim('c')];
    for (const tx of txs) await node.mempool.add(tx);
    const again = await refusal(txs[0]);
    expect(again.code).toBe('TX_KNOWN');
    expect(again.verdict).toBe('ignore');
    expect(node.mempool.pending()).toEqual(txs);
    expect((await refusal(alice.claim('d'))).code).toBe('MEMPOOL_FULL');
  });

  it('hands out a block body within a byte budget as well as a count, as a prefix in arrival order', async () => {
    const txs = [alice.claim('a'), alice.claim('b'), alice.claim('c')];
    for (const tx of txs) await node.mempool.add(tx);
    const two = JSON.stringify(txs[0]).length + JSON.stringify(txs[1]).length + 2;
    expect(node.mempool.pending(Infinity, two)).toEqual(txs.slice(0, 2));
    expect(node.mempool.pending(Infinity, two - 1)).toEqual(txs.slice(0, 1));
    expect(node.mempool.pending(1, Infinity)).toEqual(txs.slice(0, 1));
  });

  it('transactions included in a block leave it; a transaction already on the chain is refused', async () => {
    const tx = alice.claim('mined');
    await node.mempool.add(tx);
    await node.chain.submitBlock(buildBlock(node, node.mempool.pending()));
    expect(node.mempool.size).toBe(0);
    expect((await refusal(tx)).code).toBe('TX_ALREADY_IN_CHAIN');
  });
});
