import { describe, expect, it } from 'vitest';
import { txId } from '../../../src/kernel/index.js';
import { ApiClient, MAX_TXS_PER_BATCH } from '../../../src/plugins/http-api/index.js';
import { Signer } from '../../support/chain-fixture.js';
import { http, startApiNode } from './helpers.js';

describe('http-api: POST /txs', () => {
  it('judges each transaction of a batch alone and answers per transaction, in order', async () => {
    const { node, url, token } = await startApiNode();
    const signer = new Signer(node.chainId);
    const good = [signer.claim('alice'), new Signer(node.chainId).claim('bob')];
    const forged = { ...new Signer(node.chainId).claim('carol'), payload: { name: 'mallory' } };
    const client = new ApiClient(url, token);
    const first = await client.submitTxs([good[0]!, forged, { ...good[1]!, extra: 1 } as never, good[1]!]);
    expect(first.results).toEqual([
      { id: txId(node.chainId, good[0]!) },
      { error: { code: 'TX_BAD_SIGNATURE', message: expect.any(String) } },
      { error: { code: 'TX_MALFORMED', message: expect.any(String) } },
      { id: txId(node.chainId, good[1]!) },
    ]);
    expect(node.mempool.ids().sort()).toEqual(good.map((tx) => txId(node.chainId, tx)).sort());
    // Sent again, they are known; a second claim of a waiting name is the app's refusal.
    const again = await client.submitTxs([good[0]!, new Signer(node.chainId).claim('alice')]);
    expect(again.results).toEqual([
      { id: txId(node.chainId, good[0]!), known: true },
      { error: { code: 'NAME_TAKEN', message: expect.any(String) } },
    ]);
    expect(node.mempool.size).toBe(2);
  });

  it('needs the token, and refuses a body that is not an array of 1 to 1,000 transactions', async () => {
    const { node, url, token } = await startApiNode();
    const tx = new Signer(node.chainId).claim('alice');
    expect((await http(url, 'POST', '/txs', { body: [tx] })).status).toBe(401);
    for (const body of [[], tx, Array.from({ length: MAX_TXS_PER_BATCH + 1 }, () => tx)]) {
      const res = await http(url, 'POST', '/txs', { body, token });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('REQUEST_INVALID');
    }
    expect(node.mempool.size).toBe(0);
  });
});
