import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlockRejection, headerHash, type CairnNode } from '../../src/kernel/index.js';
import { buildBlock, extend, Signer, startNode } from '../support/chain-fixture.js';

/** Every step of the block pipeline refuses what it exists to refuse, with its own code. */
describe('block validation pipeline', () => {
  let node: CairnNode;
  let alice: Signer;

  beforeEach(async () => {
    node = await startNode({ config: { maxBlockTxs: 3 } });
    alice = new Signer(node.chainId);
  });
  afterEach(() => node.stop());

  async function rejection(block: unknown): Promise<BlockRejection> {
    const before = node.chain.tip().hash;
    const err = await node.chain.submitBlock(block).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BlockRejection);
    expect(node.chain.tip().hash).toBe(before);
    return err as BlockRejection;
  }

  it('structure: malformed blocks, too many transactions, unknown version', async () => {
    expect((await rejection({ header: { height: 1 }, txs: [] })).code).toBe('BLOCK_MALFORMED');
    expect((await rejection('not a block')).code).toBe('BLOCK_MALFORMED');
    const tooMany = buildBlock(node, [alice.claim('a'), alice.claim('b'), alice.claim('c'), alice.claim('d')]);
    expect((await rejection(tooMany)).code).toBe('BLOCK_TOO_LARGE');
    expect((await rejection(buildBlock(node, [], { tweak: (h) => (h.version = 2) }))).code).toBe('BLOCK_BAD_VERSION');
  });

  it('seal: a header that does not meet its target', async () => {
    const block = buildBlock(node, []);
    let bad = { ...block.header };
    for (let n = 0; headerHash(bad) <= bad.target; n++) bad = { ...block.header, nonce: n };
    expect((await rejection({ header: bad, txs: [] })).code).toBe('BLOCK_BAD_POW');
  });

  it('link: known blocks are ignored, wrong height and wrong target are rejected', async () => {
    const block = buildBlock(node, []);
    await node.chain.submitBlock(block);
    const again = await rejection(block);
    expect(again.code).toBe('BLOCK_KNOWN');
    expect(again.verdict).toBe('ignore');
    expect((await rejection(buildBlock(node, [], { tweak: (h) => (h.height += 1) }))).code).toBe('BLOCK_BAD_HEIGHT');
    expect((await rejection(buildBlock(node, [], { tweak: (h) => (h.target = '00' + 'f'.repeat(62)) }))).code).toBe('BLOCK_BAD_TARGET');
  });

  it('link: a block whose parent is unknown waits as an orphan and connects when the parent arrives', async () => {
    const parent = buildBlock(node, []);
    // Build the child on the parent without submitting the parent: use a scratch node on the same chain.
    const scratch = await startNode();
    await scratch.chain.submitBlock(parent);
    const child = buildBlock(scratch, [], { time: parent.header.time + 1 });
    await scratch.stop();
    const outcome = await node.chain.submitBlock(child);
    expect(outcome.status).toBe('orphan');
    expect(node.chain.tip().height).toBe(0);
    await node.chain.submitBlock(parent);
    expect(node.chain.tip().height).toBe(2);
  });

  it('timestamp: more than 2 h ahead is ignored, not after the median of the last 11 is rejected', async () => {
    const future = await rejection(buildBlock(node, [], { time: Date.now() + 2 * 3600_000 + 60_000 }));
    expect(future.code).toBe('BLOCK_TIME_TOO_NEW');
    expect(future.verdict).toBe('ignore');
    await extend(node, 11);
    const mtp = node.reader.medianTimePast();
    expect((await rejection(buildBlock(node, [], { time: mtp }))).code).toBe('BLOCK_TIME_TOO_OLD');
  });

  it('transactions: root mismatch, duplicates, and each kind of bad transaction', async () => {
    const tx = alice.claim('x');
    expect((await rejection(buildBlock(node, [tx], { tweak: (h) => (h.txRoot = '0'.repeat(64)) }))).code).toBe('BLOCK_BAD_TX_ROOT');
    expect((await rejection(buildBlock(node, [tx, tx]))).code).toBe('BLOCK_DUPLICATE_TX');

    const txCode = async (bad: unknown) => {
      const err = await rejection(buildBlock(node, [bad as never]));
      expect(err.code).toBe('BLOCK_BAD_TX');
      return err.details?.txCode;
    };
    expect(await txCode({ ...alice.claim('y'), sig: 'zz' })).toBe('TX_MALFORMED');
    expect(await txCode({ ...alice.claim('y'), payload: { name: 'z' } })).toBe('TX_BAD_SIGNATURE');
    expect(await txCode(alice.tx('nope', 'claim', { name: 'y' }))).toBe('TX_UNKNOWN_APP');
    expect(await txCode(alice.tx('registry', 'steal', { name: 'y' }))).toBe('TX_UNKNOWN_TYPE');
    expect(await txCode(alice.tx('registry', 'claim', { name: 'NOT VALID' }))).toBe('TX_BAD_PAYLOAD');
    const other = new Signer('f'.repeat(64)); // signed for another chain
    expect(await txCode(other.claim('y'))).toBe('TX_BAD_SIGNATURE');
  });

  it('apply: an app check failure, a transaction already on the chain, and descendants of an invalid block', async () => {
    await extend(node, 1, { txs: [[alice.claim('taken')]] });
    const bob = new Signer(node.chainId);
    const taken = await rejection(buildBlock(node, [bob.claim('taken')]));
    expect(taken.code).toBe('BLOCK_BAD_TX');
    expect(taken.details?.txCode).toBe('NAME_TAKEN');

    const first = alice.claim('once');
    await extend(node, 1, { txs: [[first]] });
    expect((await rejection(buildBlock(node, [first]))).details?.txCode).toBe('TX_ALREADY_IN_CHAIN');

    // Two claims of one name inside a single block: the second sees the first's effect.
    const dup = await rejection(buildBlock(node, [alice.claim('twice'), bob.claim('twice')]));
    expect(dup.details?.txCode).toBe('NAME_TAKEN');
  });

  it('apply on reorg: a side branch hiding an invalid transaction is marked invalid, and so are its descendants', async () => {
    const base = node.chain.tip().hash;
    await extend(node, 2, { txs: [[alice.claim('mine')]] });
    const bob = new Signer(node.chainId);
    // On the side branch bob claims the name twice; the second claim is only found invalid
    // when the branch becomes heavier and is applied.
    const [s1] = await extend(node, 1, { parent: base, txs: [[bob.claim('dup')]] });
    const tipBefore = node.chain.tip().hash;
    // s2 ties with the tip on work; at equal work the lower hash wins, so s2 is built to lose the tie.
    const second = new Signer(node.chainId).claim('dup');
    let side = buildBlock(node, [second], { parent: s1 });
    for (let t = side.header.time + 1; headerHash(side.header) < tipBefore; t++) side = buildBlock(node, [second], { parent: s1, time: t });
    const s2 = (await node.chain.submitBlock(side)).hash;
    expect(node.chain.tip().hash).toBe(tipBefore);
    const heavier = buildBlock(node, [], { parent: s2 });
    const err = await rejection(heavier);
    expect(err.code).toBe('BLOCK_BAD_TX');
    expect(err.details?.txCode).toBe('NAME_TAKEN');
    expect(node.chain.tip().hash).toBe(tipBefore);
    expect(node.reader.entry(s2!)!.status).toBe('invalid');
    expect(node.reader.entry(s1!)!.status).not.toBe('invalid');
    const child = buildBlock(node, [], { parent: headerHash(heavier.header) });
    expect((await rejection(child)).code).toBe('BLOCK_INVALID_ANCESTOR');
    expect((await node.chain.verify()).ok).toBe(true);
  });
});
