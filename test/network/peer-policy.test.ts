import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PEER_BOOK, PEER_POLICY, type CairnNode, type PeerPolicy, type Plugin } from '../../src/kernel/index.js';
import { trackerDiscovery } from '../../src/plugins/tracker/index.js';
import { MemoryNetwork, memoryTransport } from '../../src/plugins/transport-memory/index.js';
import { startNode } from '../support/chain-fixture.js';
import { waitFor } from '../support/wait.js';

/** A policy plugin: this node takes one inbound peer, whoever dials it. */
const oneInbound: Plugin = {
  name: 'one-inbound',
  provides: [PEER_POLICY],
  needs: [],
  register: (c) => c.register(PEER_POLICY, { useValue: { ...DEFAULT_PEER_BOOK, maxInbound: 1 } satisfies PeerPolicy }),
};

describe('PEER_POLICY', () => {
  const nodes: CairnNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });

  it('a plugin-provided peer policy replaces the kernel’s: a hub with one inbound slot keeps one of three peers that dial it', async () => {
    const network = new MemoryNetwork({ latencyMs: 1, seed: 7 });
    const hubAddress = { host: '10.0.0.1', port: 7000 };
    const hub = await startNode({ plugins: [memoryTransport({ network, ...hubAddress }), trackerDiscovery({ peers: [] }), oneInbound] });
    nodes.push(hub);
    for (let i = 2; i <= 4; i++) {
      nodes.push(
        await startNode({
          plugins: [memoryTransport({ network, host: `10.0.0.${i}`, port: 7000 }), trackerDiscovery({ peers: ['10.0.0.1:7000'] })],
        }),
      );
    }
    const ready = () => hub.network!.stats().peers.filter((p) => p.ready);
    await waitFor('a peer ready at the hub', () => ready().length >= 1, 5000);
    // Long enough for every dialler to have tried (dials start at once, then every second or more).
    await new Promise((r) => setTimeout(r, 1500));
    expect(ready().map((p) => p.origin)).toEqual(['inbound']);
    expect(hub.network!.stats().edge.slotsFull).toBeGreaterThan(0);
  });
});
