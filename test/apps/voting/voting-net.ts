import type { CairnNode, NodeConfig } from '../../../src/kernel/index.js';
import { trackerDiscovery } from '../../../src/plugins/tracker/index.js';
import { MemoryNetwork, memoryTransport } from '../../../src/plugins/transport-memory/index.js';
import { waitFor } from '../../support/wait.js';
import { startVotingNode } from './voting-fixture.js';

export interface VotingNet {
  network: MemoryNetwork;
  nodes: CairnNode[];
  seed: number;
  addressOf(i: number): { host: string; port: number };
  stop(): Promise<void>;
}

/**
 * `count` voting nodes on a seeded memory network, each knowing the earlier ones as static
 * peers (test/support/memory-net.ts does the same for the registry app). Resolves once every
 * node has a ready connection to every other.
 */
export async function startVotingNet(count: number, config: Partial<NodeConfig> = {}): Promise<VotingNet> {
  const seed = Number(process.env.CAIRN_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const network = new MemoryNetwork({ latencyMs: 1, seed });
  const addressOf = (i: number) => ({ host: '10.0.0.' + (i + 1), port: 7000 });
  const nodes: CairnNode[] = [];
  const net: VotingNet = { network, nodes, seed, addressOf, stop: () => Promise.all(nodes.map((n) => n.stop())).then(() => undefined) };
  try {
    for (let i = 0; i < count; i++) {
      const peers = Array.from({ length: i }, (_, j) => `${addressOf(j).host}:${addressOf(j).port}`);
      nodes.push(await startVotingNode({ config, plugins: [memoryTransport({ network, ...addressOf(i) }), trackerDiscovery({ peers })] }));
    }
    await waitFor('voting peers to be ready', () => nodes.every((n) => n.network!.book.ready().length === count - 1));
  } catch (err) {
    await net.stop();
    throw err;
  }
  return net;
}
