import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProgressLine } from '../../src/cli/tx/progress-line.js';
import { VotingClient, type TxProgress } from '../../src/cli/voting/voting-client.js';
import { Keystore, txId } from '../../src/kernel/index.js';
import { ApiClient } from '../../src/plugins/http-api/index.js';
import { extend, Signer } from '../support/chain-fixture.js';
import { startApiNode } from '../plugins/http-api/helpers.js';

const until = async (what: string, ok: () => boolean): Promise<void> => {
  const deadline = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('VotingClient.waitUntilCounted across a reorg', () => {
  it('never reports a block that lost the fork: it says so, waits again, and counts the block of the best chain', async () => {
    const { node, dataDir } = await startApiNode();
    const client = new VotingClient(await ApiClient.fromDataDir(dataDir), new Keystore(path.join(dataDir, 'keys')));
    const genesis = node.reader.tip().hash;
    const tx = new Signer(node.chainId).claim('alice');
    const id = txId(node.chainId, tx);
    const [lost] = await extend(node, 1, { txs: [[tx]] });

    const seen: TxProgress[] = [];
    const counted = client.waitUntilCounted(id, { confirmations: 2, onProgress: (p) => seen.push(p), timeoutMs: 20_000 });
    await until('the block is seen', () => seen.some((p) => p.stage === 'confirming'));
    expect(seen).toContainEqual({ stage: 'confirming', txId: id, height: 1, blockHash: lost, confirmations: 1, wanted: 2 });

    // A heavier branch without the transaction: it goes back to the mempool.
    await extend(node, 2, { parent: genesis });
    await until('the lost block is reported', () => seen.some((p) => p.stage === 'orphaned'));
    expect(seen).toContainEqual({ stage: 'orphaned', txId: id, height: 1, blockHash: lost });

    const [won] = await extend(node, 2, { txs: [[tx], []] });
    expect(await counted).toEqual({ txId: id, height: 3, blockHash: won, confirmations: 2 });
    // What a person reads off a terminal: one line per stage and per block that held the ballot.
    let printed = '';
    const line = new ProgressLine({ write: (s: string) => (printed += s) } as unknown as NodeJS.WritableStream);
    for (const p of seen) line.update(p);
    expect(printed).toContain(`in block 1 (hash ${lost}): 1 confirmation of 2, waiting for more blocks\n`);
    expect(printed).toContain(
      `block 1 (hash ${lost}) left the best chain in a fork: ballot ${id.slice(0, 12)} is waiting for a block again\n`,
    );
    expect(printed.endsWith(`counted in block 3 (hash ${won}) with 2 confirmations\n`)).toBe(true);
    expect(printed).not.toContain(`counted in block 1`);
    expect(seen.filter((p) => p.stage === 'counted')).toEqual([
      { stage: 'counted', txId: id, height: 3, blockHash: won, confirmations: 2 },
    ]);
  });
});
