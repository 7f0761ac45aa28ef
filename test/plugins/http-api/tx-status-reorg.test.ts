import { describe, expect, it } from 'vitest';
import { txId } from '../../../src/kernel/index.js';
import { extend, Signer } from '../../support/chain-fixture.js';
import { http, startApiNode } from './helpers.js';

describe('http-api: GET /tx/:id across a reorg', () => {
  it('counts confirmations on the best chain, and a block that lost the fork no longer holds the tx', async () => {
    const { node, url } = await startApiNode();
    const genesis = node.reader.tip().hash;
    const tx = new Signer(node.chainId).claim('alice');
    const id = txId(node.chainId, tx);
    const [lost] = await extend(node, 1, { txs: [[tx]] });
    expect((await http(url, 'GET', `/tx/${id}`)).body).toMatchObject({ status: 'confirmed', height: 1, blockHash: lost, confirmations: 1 });
    await extend(node, 1);
    expect((await http(url, 'GET', `/tx/${id}`)).body).toMatchObject({ blockHash: lost, confirmations: 2 });

    // A heavier branch from genesis without the tx: the block that held it is off the best chain.
    const [, , won] = await extend(node, 3, { parent: genesis });
    expect(node.reader.tip().hash).toBe(won);
    expect(node.reader.isOnBestChain(lost!)).toBe(false);
    const after = await http(url, 'GET', `/tx/${id}`);
    expect(after.body).not.toMatchObject({ blockHash: lost });
    expect(after.body).toMatchObject({ status: 'pending' });

    // Counted again on the new branch: in that block, with its own confirmations.
    const [again] = await extend(node, 1, { txs: [[tx]] });
    expect((await http(url, 'GET', `/tx/${id}`)).body).toMatchObject({
      status: 'confirmed',
      height: 4,
      blockHash: again,
      confirmations: 1,
    });
  });
});
