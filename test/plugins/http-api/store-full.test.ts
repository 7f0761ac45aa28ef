import { describe, expect, it } from 'vitest';
import { API, type CairnNode } from '../../../src/kernel/index.js';
import { faults } from '../../../src/plugins/faults/index.js';
import { httpApi, type HttpApi } from '../../../src/plugins/http-api/index.js';
import { Signer, startNode, tempDir } from '../../support/chain-fixture.js';
import { injectedFull } from '../../support/small-disk.js';
import { waitFor } from '../../support/wait.js';
import { http, onCleanup } from './helpers.js';

async function fullDiskNode(): Promise<{ node: CairnNode; url: string; token: string; disk: ReturnType<typeof injectedFull> }> {
  const dir = tempDir('cairn-api-full-');
  onCleanup(() => dir.remove());
  const disk = injectedFull(dir.path);
  const node = await startNode({
    dataDir: dir.path,
    config: { storeProbeMs: 20 },
    plugins: [httpApi({ port: 0 }), faults({ faults: [`disk-full=${disk.flag}`] })],
  });
  onCleanup(() => node.stop());
  const api = node.resolve<HttpApi>(API);
  return { node, url: api.address, token: api.token, disk };
}

describe('the node API while the store takes no writes', () => {
  it('answers POST /tx and POST /txs with 503 and the store code, keeps nothing, and shows the state in /status', async () => {
    const { node, url, token, disk } = await fullDiskNode();
    const alice = new Signer(node.chainId);
    const tx = alice.claim('first');
    disk.fill();

    const one = await http(url, 'POST', '/tx', { body: tx, token });
    expect(one.status).toBe(503);
    expect(one.body.error.code).toBe('STORE_FULL');
    expect(one.body.error.message).toMatch(/full/);
    const status = await http(url, 'GET', '/status');
    expect(status.status).toBe(200);
    expect(status.body.store).toMatchObject({ writable: false, code: 'STORE_FULL', retrying: true });
    expect(status.body.mempool).toBe(0);
    const many = await http(url, 'POST', '/txs', { body: [alice.claim('second'), alice.claim('third')], token });
    expect(many.status).toBe(503);
    expect(many.body.error.code).toBe('STORE_FULL');
    // Reads go on.
    expect((await http(url, 'GET', '/blocks')).status).toBe(200);
    expect((await http(url, 'GET', `/tx/${'0'.repeat(64)}`)).status).toBe(404);

    disk.unfill();
    await waitFor('the store to take writes again', () => node.storeHealth.writable, 5000);
    const retry = await http(url, 'POST', '/tx', { body: tx, token });
    expect(retry.status).toBe(202);
    expect((await http(url, 'GET', '/status')).body.store).toEqual({ writable: true });
  });
});
