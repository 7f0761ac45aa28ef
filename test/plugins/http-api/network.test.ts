import { describe, expect, it } from 'vitest';
import { API } from '../../../src/kernel/index.js';
import { httpApi, type HttpApi } from '../../../src/plugins/http-api/index.js';
import { trackerDiscovery } from '../../../src/plugins/tracker/index.js';
import { MemoryNetwork, memoryTransport } from '../../../src/plugins/transport-memory/index.js';
import { Signer, startNode, tempDir } from '../../support/chain-fixture.js';
import { waitFor } from '../../support/wait.js';
import { http, onCleanup } from './helpers.js';

describe('http-api on a networked node', () => {
  it('reports ready peers, and a transaction submitted through the API reaches the other node', async () => {
    const network = new MemoryNetwork({ seed: 1, latencyMs: 1 });
    const dir = tempDir('cairn-api-net-');
    onCleanup(() => dir.remove());
    const a = await startNode({ plugins: [memoryTransport({ network, host: '10.0.0.1', port: 7000 }), trackerDiscovery()] });
    onCleanup(() => a.stop());
    const b = await startNode({
      dataDir: dir.path,
      plugins: [memoryTransport({ network, host: '10.0.0.2', port: 7000 }), trackerDiscovery({ peers: ['10.0.0.1:7000'] }), httpApi()],
    });
    onCleanup(() => b.stop());
    const api = b.resolve<HttpApi>(API);

    await waitFor('the peers to shake hands', async () => (await http(api.address, 'GET', '/status')).body.peers === 1, 10_000);
    const peers = await http(api.address, 'GET', '/peers');
    expect(peers.body.peers).toEqual([expect.objectContaining({ peer: '10.0.0.1:7000', ready: true, height: 0 })]);
    expect(peers.body.banned).toEqual([]);

    const res = await http(api.address, 'POST', '/tx', { body: new Signer(b.chainId).claim('alice'), token: api.token });
    expect(res.status).toBe(202);
    await waitFor('the transaction to reach the other node', () => a.mempool.has(res.body.id), 10_000);
  });
});
