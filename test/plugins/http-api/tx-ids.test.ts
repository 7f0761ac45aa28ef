import { describe, expect, it } from 'vitest';
import { txId, type Block } from '../../../src/kernel/index.js';
import { TxIdCache } from '../../../src/plugins/http-api/routes/tx-ids.js';
import { Signer } from '../../support/chain-fixture.js';

const CHAIN = 'c'.repeat(64);
const signer = new Signer(CHAIN);
const blockOf = (n: number): Block => ({ header: {} as Block['header'], txs: Array.from({ length: n }, (_, i) => signer.claim(`n${i}`)) });

describe('the API’s transaction ids per block', () => {
  it('hashes a block once, however often it is asked, and lets the least recently used of 256 go', () => {
    const cache = new TxIdCache(CHAIN);
    const block = blockOf(3);
    const ids = cache.of('h0', block);
    expect(ids).toEqual(block.txs.map((tx) => txId(CHAIN, tx)));
    // Asked again under its hash, the ids come from the cache, not from hashing what it is given.
    expect(cache.of('h0', blockOf(1))).toBe(ids);
    for (let i = 1; i <= 255; i++) cache.of(`h${i}`, blockOf(0));
    cache.of('h0', block); // h0 is the most recent again; h1 is the least
    cache.of('h256', blockOf(0));
    expect(cache.of('h0', blockOf(1))).toBe(ids);
    expect(cache.of('h1', blockOf(2))).toHaveLength(2);
  });
});
