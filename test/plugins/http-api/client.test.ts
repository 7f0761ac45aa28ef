import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { txId } from '../../../src/kernel/index.js';
import { ApiClient, ApiError, type ApiEvent } from '../../../src/plugins/http-api/index.js';
import { buildBlock, extend, Signer, tempDir } from '../../support/chain-fixture.js';
import { waitFor } from '../../support/wait.js';
import { onCleanup, startApiNode } from './helpers.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function emptyDir(): string {
  const dir = tempDir('cairn-api-none-');
  onCleanup(() => dir.remove());
  return dir.path;
}

describe('ApiClient', () => {
  it('finds a node from its data dir and round-trips a transaction to its confirmation', async () => {
    const { node, dataDir, url } = await startApiNode();
    const client = await ApiClient.fromDataDir(dataDir);
    expect(client.url).toBe(url);
    expect(await client.status()).toMatchObject({ chainId: node.chainId, height: 0, mempool: 0 });
    expect(await client.peers()).toEqual({ peers: [], banned: [] });

    const signer = new Signer(node.chainId);
    const tx = signer.claim('42');
    const { id } = await client.submitTx(tx);
    expect(id).toBe(txId(node.chainId, tx));
    expect(await client.submitTx(tx)).toEqual({ id, known: true });
    expect(await client.txStatus(id)).toMatchObject({ status: 'pending' });

    const outcome = await node.chain.submitBlock(buildBlock(node, node.mempool.pending()));
    expect(await client.txStatus(id)).toMatchObject({ status: 'confirmed', height: 1, blockHash: outcome.hash });
    const page = await client.blocks(0, 10);
    expect(page.blocks.map((b) => b.height)).toEqual([0, 1]);
    expect((await client.block(outcome.hash)).txIds).toEqual([id]);
    expect((await client.apps()).apps.map((a) => a.id)).toEqual(['registry']);
    // The string '42' would decode as a number if sent bare; the client quotes it.
    expect(await client.query('registry', 'owner', { name: '42' })).toEqual({ owner: signer.keys.publicKey, height: 1 });
    expect(await client.query('registry', 'count')).toBe(1);
  });

  it("returns the server's code and sentence as a CairnError", async () => {
    const { node, url, token } = await startApiNode();
    const reader = new ApiClient(url);
    const refused = await reader.submitTx(new Signer(node.chainId).claim('alice')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ code: 'AUTH_REQUIRED', status: 401 });

    const writer = new ApiClient(url, token);
    const forged = { ...new Signer(node.chainId).claim('alice'), payload: { name: 'bob' } };
    await expect(writer.submitTx(forged)).rejects.toMatchObject({ code: 'TX_BAD_SIGNATURE', status: 422 });
    await expect(writer.query('registry', 'tally')).rejects.toMatchObject({
      code: 'QUERY_UNKNOWN',
      status: 404,
      message: expect.stringContaining('tally'),
    });
    await expect(writer.txStatus('f'.repeat(64))).rejects.toMatchObject({ code: 'TX_UNKNOWN', status: 404 });
  });

  it('says NODE_NOT_RUNNING for a data dir without a node, and for a node that is gone', async () => {
    const dir = emptyDir();
    await expect(ApiClient.fromDataDir(dir)).rejects.toMatchObject({ code: 'NODE_NOT_RUNNING', message: expect.stringContaining(dir) });

    // A node killed with -9 leaves its files behind: the refused connection says the same.
    writeFileSync(join(dir, 'api.url'), `http://127.0.0.1:${await freePort()}\n`);
    writeFileSync(join(dir, 'api.cookie'), 'ab'.repeat(32));
    const client = await ApiClient.fromDataDir(dir);
    await expect(client.status()).rejects.toMatchObject({ code: 'NODE_NOT_RUNNING' });

    const { node, dataDir } = await startApiNode();
    await node.stop();
    await expect(ApiClient.fromDataDir(dataDir)).rejects.toMatchObject({ code: 'NODE_NOT_RUNNING' });
  });
});

describe('GET /events', () => {
  it('streams block and app events as they happen, and drops its listeners when the client leaves', async () => {
    const { node, url } = await startApiNode();
    const baseline = node.events.listenerCount('block');
    const received: ApiEvent[] = [];
    const subscription = await new ApiClient(url).events((e) => received.push(e));
    expect(node.events.listenerCount('block')).toBe(baseline + 1);

    const tx = new Signer(node.chainId).claim('alice');
    const [hash] = await extend(node, 1, { txs: [[tx]] });
    await waitFor('a block and an app event', () => received.length >= 2, 5_000);
    const block = received.find((e) => e.type === 'block');
    expect(block?.data).toMatchObject({ hash, height: 1, txIds: [txId(node.chainId, tx)], reorg: false });
    expect(received.find((e) => e.type === 'app')?.data).toMatchObject({
      app: 'registry',
      event: 'claimed',
      data: { name: 'alice' },
      blockHash: hash,
    });

    subscription.close();
    await subscription.done;
    await waitFor('the stream listeners to be removed', () => node.events.listenerCount('block') === baseline, 5_000);
    expect(node.events.listenerCount('app')).toBe(0);
  });

  it('filters by type, and a node stopping ends open streams instead of hanging', async () => {
    const { node, url } = await startApiNode();
    const received: ApiEvent[] = [];
    const subscription = await new ApiClient(url).events((e) => received.push(e), { types: ['app'] });
    await extend(node, 1, { txs: [[new Signer(node.chainId).claim('alice')]] });
    await waitFor('an app event', () => received.length >= 1, 5_000);
    expect(received.map((e) => e.type)).toEqual(['app']);

    const started = Date.now();
    await node.stop();
    await subscription.done;
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
