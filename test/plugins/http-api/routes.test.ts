import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { txId } from '../../../src/kernel/index.js';
import { httpApi, MAX_BODY_BYTES } from '../../../src/plugins/http-api/index.js';
import { buildBlock, extend, Signer, startNode, tempDir } from '../../support/chain-fixture.js';
import { registryApp } from '../../support/registry-app.js';
import { http, onCleanup, startApiNode } from './helpers.js';

describe('http-api: cookie and lifecycle', () => {
  it('writes a 0600 cookie and the URL into the data dir, and removes both on stop', async () => {
    const { node, dataDir, url, token } = await startApiNode();
    const cookie = join(dataDir, 'api.cookie');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(statSync(cookie).mode & 0o777).toBe(0o600);
    expect(readFileSync(cookie, 'utf8')).toBe(token);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(join(dataDir, 'api.url'), 'utf8').trim()).toBe(url);
    await node.stop();
    expect(existsSync(cookie)).toBe(false);
    expect(existsSync(join(dataDir, 'api.url'))).toBe(false);
    await expect(fetch(url + '/status')).rejects.toThrow();
  });

  it('binds only a loopback address, and a port in use is a clear start-up error', async () => {
    expect(() => httpApi({ host: '0.0.0.0' })).toThrow(/loopback/);
    expect(() => httpApi({ port: 70_000 })).toThrow(/--api-port/);
    const { api } = await startApiNode();
    const port = Number(new URL(api.address).port);
    const dir = tempDir('cairn-api-busy-');
    onCleanup(() => dir.remove());
    await expect(startNode({ dataDir: dir.path, config: { apiPort: port }, plugins: [httpApi()] })).rejects.toMatchObject({
      code: 'API_PORT_IN_USE',
    });
    expect(existsSync(join(dir.path, 'api.cookie'))).toBe(false);
  });
});

describe('http-api: reading the chain', () => {
  it('status reflects a block submitted through the chain', async () => {
    const { node, url } = await startApiNode();
    const before = await http(url, 'GET', '/status');
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      chainId: node.chainId,
      height: 0,
      mempool: 0,
      peers: 0,
      syncing: false,
      mining: 'off',
      rejections: {},
    });
    const [hash] = await extend(node, 1);
    const after = await http(url, 'GET', '/status');
    expect(after.body).toMatchObject({ height: 1, tip: hash, totalWork: node.chain.tip().totalWork.toString(16) });
    expect(after.body.totalWork).not.toBe(before.body.totalWork);
    expect(typeof after.body.uptime).toBe('number');
  });

  it('peers are empty lists on a node without a network', async () => {
    const { url } = await startApiNode();
    expect((await http(url, 'GET', '/peers')).body).toEqual({ peers: [], banned: [] });
  });

  it('lists blocks of the best chain with their transaction ids, and serves one block by hash', async () => {
    const { node, url } = await startApiNode();
    const tx = new Signer(node.chainId).claim('alice');
    const [h1, h2] = await extend(node, 2, { txs: [[tx], []] });
    const page = await http(url, 'GET', '/blocks?from=1&limit=5');
    expect(page.status).toBe(200);
    expect(page.body.height).toBe(2);
    expect(page.body.blocks.map((b: { hash: string }) => b.hash)).toEqual([h1, h2]);
    expect(page.body.blocks[0]).toMatchObject({ height: 1, txCount: 1, txIds: [txId(node.chainId, tx)] });
    expect(page.body.blocks[0].target).toMatch(/^[0-9a-f]{64}$/);
    // Without `from`: the latest page.
    expect((await http(url, 'GET', '/blocks?limit=1')).body.blocks.map((b: { height: number }) => b.height)).toEqual([2]);

    const one = await http(url, 'GET', `/blocks/${h1}`);
    expect(one.body).toMatchObject({ hash: h1, onBestChain: true, txs: [tx], txIds: [txId(node.chainId, tx)] });
    expect(one.body.header.height).toBe(1);
    const unknown = await http(url, 'GET', `/blocks/${'ab'.repeat(32)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('BLOCK_UNKNOWN');
  });

  it('refuses bad parameters with a JSON 400, never a stack', async () => {
    const { url } = await startApiNode();
    for (const path of [
      '/blocks?limit=501',
      '/blocks?from=-1',
      '/blocks?from=abc',
      '/blocks/nothex',
      '/tx/123',
      '/events?types=everything',
    ]) {
      const res = await http(url, 'GET', path);
      expect(res.status, path).toBe(400);
      expect(res.body.error.code, path).toBe('REQUEST_INVALID');
      expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.(js|ts):\d+/);
    }
    const none = await http(url, 'GET', '/nothing');
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe('ROUTE_UNKNOWN');
  });
});

describe('http-api: submitting transactions', () => {
  it('needs the cookie token: none is 401, a wrong one 403, the right one 202 and the tx waits in the mempool', async () => {
    const { node, url, token } = await startApiNode();
    const tx = new Signer(node.chainId).claim('alice');
    const anonymous = await http(url, 'POST', '/tx', { body: tx });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('AUTH_REQUIRED');
    const wrong = await http(url, 'POST', '/tx', { body: tx, token: token.replace(/^./, (c) => (c === '0' ? '1' : '0')) });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('AUTH_INVALID');
    expect(node.mempool.size).toBe(0);

    const accepted = await http(url, 'POST', '/tx', { body: tx, token });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ id: txId(node.chainId, tx) });
    expect((await http(url, 'GET', '/status')).body.mempool).toBe(1);
    const again = await http(url, 'POST', '/tx', { body: tx, token });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ id: accepted.body.id, known: true });
  });

  it('answers a refused transaction with 422 and the rejection code', async () => {
    const { node, url, token } = await startApiNode();
    const signer = new Signer(node.chainId);
    const forged = { ...signer.claim('alice'), payload: { name: 'mallory' } };
    const cases: Array<[unknown, string]> = [
      [forged, 'TX_BAD_SIGNATURE'],
      [{ ...signer.claim('bob'), sig: undefined }, 'TX_MALFORMED'],
      [{ ...signer.claim('carol'), extra: 1 }, 'TX_MALFORMED'],
      [{ ...signer.claim('dave'), nonce: '1' }, 'TX_MALFORMED'],
      [[1, 2, 3], 'TX_MALFORMED'],
      [signer.tx('registry', 'claim', { name: 'NOT VALID' }), 'TX_BAD_PAYLOAD'],
      [signer.tx('nope', 'claim', { name: 'x' }), 'TX_UNKNOWN_APP'],
    ];
    for (const [body, code] of cases) {
      const res = await http(url, 'POST', '/tx', { body, token });
      expect(res.status, code).toBe(422);
      expect(res.body.error.code, code).toBe(code);
      expect(res.body.error.message).toEqual(expect.any(String));
    }
    // An app's own refusal keeps the app's code.
    await extend(node, 1, { txs: [[signer.claim('erin')]] });
    const taken = await http(url, 'POST', '/tx', { body: new Signer(node.chainId).claim('erin'), token });
    expect(taken.status).toBe(422);
    expect(taken.body.error.code).toBe('NAME_TAKEN');
    expect(node.mempool.size).toBe(0);
  });

  it('refuses a body over 1 MiB with 413 and a JSON error, and bad JSON with 400', async () => {
    const { url, token } = await startApiNode();
    const big = await http(url, 'POST', '/tx', { raw: JSON.stringify({ pad: 'x'.repeat(MAX_BODY_BYTES) }), token });
    expect(big.status).toBe(413);
    expect(big.body.error).toEqual({ code: 'BODY_TOO_LARGE', message: expect.stringContaining('larger than') });
    const broken = await http(url, 'POST', '/tx', { raw: '{"app":', token });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('BODY_INVALID');
    const poisoned = await http(url, 'POST', '/tx', { raw: '{"__proto__":{"x":1}}', token });
    expect(poisoned.status).toBe(400);
  });

  it('reports a transaction pending, then confirmed with its block once mined, and 404 when unknown', async () => {
    const { node, url, token } = await startApiNode();
    const tx = new Signer(node.chainId).claim('alice');
    const { body } = await http(url, 'POST', '/tx', { body: tx, token });
    const summary = { app: tx.app, type: tx.type, from: tx.from, payload: tx.payload, nonce: tx.nonce };
    expect((await http(url, 'GET', `/tx/${body.id}`)).body).toEqual({ status: 'pending', tx: summary });

    const outcome = await node.chain.submitBlock(buildBlock(node, node.mempool.pending()));
    const confirmed = await http(url, 'GET', `/tx/${body.id}`);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toEqual({ status: 'confirmed', height: 1, blockHash: outcome.hash, confirmations: 1, tx: summary });
    const byHeight = await http(url, 'GET', '/blocks/1');
    expect(byHeight.body).toMatchObject({ hash: outcome.hash, txIds: [body.id], onBestChain: true });
    const above = await http(url, 'GET', '/blocks/7');
    expect(above.status).toBe(404);
    expect(above.body.error).toMatchObject({ code: 'BLOCK_UNKNOWN', message: expect.stringContaining('tip is at height 1') });
    expect((await http(url, 'GET', '/blocks/1x')).status).toBe(400);
    expect((await http(url, 'GET', '/status')).body.mempool).toBe(0);

    const unknown = await http(url, 'GET', `/tx/${'0'.repeat(64)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('TX_UNKNOWN');
  });
});

describe('http-api: apps and queries', () => {
  it('lists apps and runs their queries with JSON-decoded arguments; unknown names are 404', async () => {
    const { node, url } = await startApiNode();
    const signer = new Signer(node.chainId);
    await extend(node, 1, { txs: [[signer.claim('alice'), signer.claim('42')]] });

    const apps = await http(url, 'GET', '/apps');
    expect(apps.body.apps).toEqual([
      { id: 'registry', txTypes: ['claim'], txSchemas: { claim: registryApp.tx.claim!.schema }, queries: ['owner', 'count', 'names'] },
    ]);
    expect((await http(url, 'GET', '/apps/registry/count')).body).toEqual({ result: 2 });
    expect((await http(url, 'GET', '/apps/registry/owner?name=alice')).body.result).toEqual({ owner: signer.keys.publicKey, height: 1 });
    // `42` decodes as a number and `"42"` as a string: the registry's String(args.name) finds both.
    expect((await http(url, 'GET', '/apps/registry/owner?name=%2242%22')).body.result.owner).toBe(signer.keys.publicKey);
    expect((await http(url, 'GET', '/apps/registry/owner?name=nobody')).body).toEqual({ result: null });

    const noQuery = await http(url, 'GET', '/apps/registry/tally');
    expect(noQuery.status).toBe(404);
    expect(noQuery.body.error).toEqual({ code: 'QUERY_UNKNOWN', message: expect.stringContaining("no query 'tally'") });
    const noApp = await http(url, 'GET', '/apps/voting/tally');
    expect(noApp.status).toBe(404);
    expect(noApp.body.error.code).toBe('APP_UNKNOWN');
  });
});
