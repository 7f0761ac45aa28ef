import type { CairnNode, NodeConfig } from '../../src/kernel/index.js';
import { trackerDiscovery } from '../../src/plugins/tracker/index.js';
import { MemoryNetwork, memoryTransport, type MemoryNetworkOptions } from '../../src/plugins/transport-memory/index.js';
import { startNode } from './chain-fixture.js';
import { waitFor } from './wait.js';

export interface MemoryNet {
  network: MemoryNetwork;
  nodes: CairnNode[];
  seed: number;
  addressOf(i: number): { host: string; port: number };
  /** Starts one more node that knows every earlier node as a static peer. */
  add(config?: Partial<NodeConfig>): Promise<CairnNode>;
  stop(): Promise<void>;
}

/**
 * In-process nodes on a seeded memory network. The seed is printed when a test fails, so a
 * failing run can be replayed exactly with CAIRN_SEED.
 */
export async function startMemoryNet(
  count: number,
  options: MemoryNetworkOptions & { config?: Partial<NodeConfig> } = {},
): Promise<MemoryNet> {
  const seed = Number(process.env.CAIRN_SEED ?? options.seed ?? Math.floor(Math.random() * 2 ** 31));
  const network = new MemoryNetwork({ latencyMs: 1, ...options, seed });
  const nodes: CairnNode[] = [];
  const addressOf = (i: number) => ({ host: '10.0.0.' + (i + 1), port: 7000 });
  const net: MemoryNet = {
    network,
    nodes,
    seed,
    addressOf,
    async add(config = {}) {
      const i = nodes.length;
      const peers = Array.from({ length: i }, (_, j) => `${addressOf(j).host}:${addressOf(j).port}`);
      const node = await startNode({
        config: { ...options.config, ...config },
        plugins: [memoryTransport({ network, ...addressOf(i) }), trackerDiscovery({ peers })],
      });
      nodes.push(node);
      return node;
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
  for (let i = 0; i < count; i++) await net.add();
  return net;
}

export async function waitForAgreement(nodes: CairnNode[], timeoutMs = 20_000): Promise<string> {
  await waitFor('all nodes to agree on one tip', () => nodes.every((n) => n.chain.tip().hash === nodes[0]!.chain.tip().hash), timeoutMs);
  return nodes[0]!.chain.tip().hash;
}
