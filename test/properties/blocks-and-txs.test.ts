import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHeader, HEADER_BYTES, merkleRoot, NONCE_OFFSET, type Block, type BlockHeader } from '../../src/kernel/block.js';
import { BlockRejection, CairnError, TxRejection } from '../../src/kernel/errors.js';
import type { CairnNode } from '../../src/kernel/node.js';
import { checkHeaderRun, hashIfHeader, type KnownHeader } from '../../src/kernel/net/header-chain.js';
import { DecodeError, decodeSession } from '../../src/kernel/net/messages.js';
import { txId, type Tx } from '../../src/kernel/tx/tx.js';
import { buildBlock, extend, Signer, startNode } from '../support/chain-fixture.js';
import { check, checkAsync } from '../support/property.js';
import { edgyValue, envelope, header, json, jsonBytes, jsonMutations, mutateJson, mutateNumber, numberMutation } from './arbitraries.js';

/**
 * The header layout as documented in block.ts, read back: the encoding is what the hash and the
 * proof of work commit to, so two different headers must never encode alike.
 */
function readHeader(b: Buffer): BlockHeader {
  const u64 = (at: number) => b.readUInt32BE(at) * 0x1_0000_0000 + b.readUInt32BE(at + 4);
  return {
    version: b.readUInt16BE(0),
    height: b.readUInt32BE(2),
    prev: b.toString('hex', 6, 38),
    txRoot: b.toString('hex', 38, 70),
    time: u64(70),
    target: b.toString('hex', 78, 110),
    nonce: u64(NONCE_OFFSET),
  };
}

let node: CairnNode;
let signers: Signer[];
/** A run of real headers above genesis, and the lookup sync uses to find their parents. */
let run: BlockHeader[];
const parentOf = (hash: string): KnownHeader | undefined => {
  const entry = node.reader.entry(hash);
  return entry && { header: entry.header, anchor: entry.anchor?.header };
};

beforeAll(async () => {
  node = await startNode();
  signers = [new Signer(node.chainId), new Signer(node.chainId)];
  const hashes = await extend(node, 3);
  run = hashes.map((h) => node.reader.entry(h)!.header);
});
afterAll(async () => {
  await node?.stop();
});

const name = fc.stringMatching(/^[a-z0-9-]{1,32}$/);
/** A signed claim, valid for this chain: its nonce varies so equal names still make distinct transactions. */
const signedTx: fc.Arbitrary<Tx> = fc
  .tuple(fc.nat({ max: 1 }), name, fc.maxSafeNat())
  .map(([who, n, nonce]) => signers[who]!.tx('registry', 'claim', { name: n }, nonce));

/** A block of signed transactions on the tip, with a correct root and seal. */
const validBlock: fc.Arbitrary<Block> = fc
  .uniqueArray(signedTx, { maxLength: 3, selector: (tx) => txId(node.chainId, tx) })
  .map((txs) => buildBlock(node, txs));

function refusedWith<E extends CairnError>(type: new (...args: never[]) => E, fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(type);
  }
}

/** Every context-free step a block from the network goes through; each returns or throws a BlockRejection. */
function judgeBlock(raw: unknown): void {
  if (raw === REFUSED) return;
  refusedWith(BlockRejection, () => {
    const block = node.blockRules.structure(raw);
    node.blockRules.checkSeal(block);
    node.blockRules.transactions(block);
  });
}

function judgeTx(raw: unknown): void {
  if (raw === REFUSED) return;
  refusedWith(TxRejection, () => node.txRules.checkStateless(node.txRules.checkEnvelope(raw)));
}

/** What a mutated item turns into when the message carrying it is already refused by the gossip decoder. */
const REFUSED = Symbol('refused by decodeSession');

/** Parsed as the network parses: JSON text (possibly with a rewritten number) inside a message. */
function throughGossip<T>(t: 'blocks' | 'txs', item: T, text = JSON.stringify(item)): unknown {
  try {
    const m = decodeSession(Buffer.from(`{"t":"${t}","${t}":[${text}]}`));
    return (m as { blocks?: unknown[]; txs?: unknown[] })[t]![0];
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    return REFUSED;
  }
}

describe('block headers (src/kernel/block.ts)', () => {
  it('encode is lossless for every header the block schema admits, and the nonce is only the last 8 bytes', () => {
    check(
      fc.property(header, fc.maxSafeNat(), (h, nonce) => {
        const bytes = encodeHeader(h);
        expect(bytes.length).toBe(HEADER_BYTES);
        expect(readHeader(bytes)).toEqual(h);
        const other = encodeHeader({ ...h, nonce });
        expect(other.subarray(0, NONCE_OFFSET).equals(bytes.subarray(0, NONCE_OFFSET))).toBe(true);
      }),
      2000,
    );
  });
});

describe('blocks from the network (BlockRules.structure/seal/transactions)', () => {
  it('a valid block survives gossip encoding and every context-free check unchanged', () => {
    check(
      fc.property(validBlock, (block) => {
        const raw = throughGossip('blocks', block);
        const decoded = node.blockRules.structure(raw);
        expect(decoded).toEqual(block);
        node.blockRules.checkSeal(decoded);
        expect(node.blockRules.transactions(decoded)).toEqual(block.txs.map((tx) => txId(node.chainId, tx)));
      }),
      300,
    );
  });

  it('arbitrary JSON, and blocks of arbitrary envelopes, are judged without anything but a BlockRejection', () => {
    const shaped = fc.record({ header, txs: fc.array(fc.oneof(envelope, json(2)), { maxLength: 4 }) });
    check(
      fc.property(fc.oneof(json(), shaped), (raw) => judgeBlock(raw)),
      1500,
    );
  });

  it('valid blocks with fields replaced, removed or added are judged without anything but a BlockRejection', () => {
    check(
      fc.property(validBlock, jsonMutations, (block, mutations) => {
        const raw = mutateJson(block, mutations);
        judgeBlock(raw);
        judgeBlock(throughGossip('blocks', raw, jsonBytes(raw).toString()));
      }),
      1500,
    );
  });

  it('valid blocks with a number spelled 1e999, -0 or past 2^53 are judged without anything but a BlockRejection', () => {
    check(
      fc.property(validBlock, numberMutation, (block, mutation) => {
        judgeBlock(throughGossip('blocks', block, mutateNumber(JSON.stringify(block), mutation)));
      }),
      800,
    );
  });

  it('the whole pipeline (submitBlock) resolves or rejects with a CairnError for mutated blocks', async () => {
    await checkAsync(
      fc.asyncProperty(validBlock, jsonMutations, async (block, mutations) => {
        await node.chain.submitBlock(mutateJson(block, mutations)).catch((err: unknown) => expect(err).toBeInstanceOf(CairnError));
      }),
      300,
    );
  });
});

describe('headers from the network (header-chain.ts, used by sync)', () => {
  it('a real run of headers checks out, through gossip', () => {
    const m = decodeSession(Buffer.from(JSON.stringify({ t: 'headers', headers: run })));
    expect(checkHeaderRun((m as { headers: unknown[] }).headers, parentOf, node.chain.consensus)?.map((c) => c.header)).toEqual(run);
  });

  it('a header with a version or height too wide for its binary field is not a header (no RangeError from hashing it)', () => {
    expect(hashIfHeader({ ...run[0]!, version: 0x1_0000 })).toBeUndefined();
    expect(hashIfHeader({ ...run[0]!, height: 0x1_0000_0000 })).toBeUndefined();
    expect(checkHeaderRun([{ ...run[0]!, version: 2 ** 32 }], parentOf, node.chain.consensus)).toBeUndefined();
  });

  it('mutated header runs and arbitrary JSON return a verdict (a run or undefined) and never throw', () => {
    const mutatedRun = fc.tuple(jsonMutations, fc.option(numberMutation)).map(([mutations, number]) => {
      const text = JSON.stringify(mutateJson(run, mutations)) ?? 'null';
      return JSON.parse(number ? mutateNumber(text, number) : text) as unknown;
    });
    check(
      fc.property(fc.oneof(mutatedRun, fc.array(fc.oneof(header, json(2), edgyValue), { maxLength: 4 })), (raw) => {
        const items = Array.isArray(raw) ? raw : [raw];
        for (const item of items) {
          const hash = hashIfHeader(item);
          expect(hash === undefined || /^[0-9a-f]{64}$/.test(hash)).toBe(true);
        }
        checkHeaderRun(items, parentOf, node.chain.consensus);
      }),
      1500,
    );
  });
});

describe('transactions from the network (TxRules.checkEnvelope/checkStateless, Mempool.add)', () => {
  it('a signed transaction survives gossip encoding and keeps its id', () => {
    check(
      fc.property(signedTx, (tx) => {
        const raw = throughGossip('txs', tx);
        const parsed = node.txRules.checkEnvelope(raw);
        expect(parsed).toEqual(tx);
        expect(node.txRules.checkStateless(parsed)).toBe(txId(node.chainId, tx));
      }),
      500,
    );
  });

  it('arbitrary JSON and mutated transactions are judged without anything but a TxRejection', () => {
    const mutated = fc.tuple(fc.oneof(signedTx, envelope), jsonMutations, fc.option(numberMutation)).map(([tx, mutations, number]) => {
      const text = jsonBytes(mutateJson(tx, mutations)).toString();
      return number ? mutateNumber(text, number) : text;
    });
    check(
      fc.property(
        fc.oneof(
          json(),
          envelope,
          mutated.map((text) => throughGossip('txs', null, text)),
        ),
        (raw) => judgeTx(raw),
      ),
      1500,
    );
  });

  it('Mempool.add resolves or rejects with a TxRejection for mutated transactions', async () => {
    await checkAsync(
      fc.asyncProperty(signedTx, jsonMutations, async (tx, mutations) => {
        await node.mempool.add(mutateJson(tx, mutations)).catch((err: unknown) => expect(err).toBeInstanceOf(TxRejection));
      }),
      300,
    );
  });

  it.each(['"\\ud800"', '1e999'])(
    'a transaction with %s in its payload (JCS cannot encode it) is TX_MALFORMED, in the mempool and in a block',
    async (bad) => {
      const tx = throughGossip('txs', null, JSON.stringify(signers[0]!.claim('ok')).replace('"ok"', bad));
      expect(() => node.txRules.checkEnvelope(tx)).toThrow(expect.objectContaining({ code: 'TX_MALFORMED' }));
      await expect(node.mempool.add(tx)).rejects.toMatchObject({ code: 'TX_MALFORMED' });
      const block = buildBlock(node, []);
      await expect(node.chain.submitBlock({ ...block, txs: [tx] })).rejects.toMatchObject({ code: 'BLOCK_BAD_TX' });
    },
  );

  it('the transaction root commits to order: a block with its transactions swapped is refused', () => {
    check(
      fc.property(fc.uniqueArray(signedTx, { minLength: 2, maxLength: 3, selector: (tx) => txId(node.chainId, tx) }), (txs) => {
        const block = buildBlock(node, txs);
        const swapped = { header: block.header, txs: [...txs].reverse() };
        expect(merkleRoot(swapped.txs.map((tx) => txId(node.chainId, tx)))).not.toBe(block.header.txRoot);
        expect(() => node.blockRules.transactions(swapped)).toThrow(BlockRejection);
      }),
      100,
    );
  });
});
