import type { ChainApp } from '../kernel/index.js';
import { paramsFromFlags } from '../kernel/index.js';
import { parseNodeConfig } from '../kernel/index.js';
import { CairnError } from '../kernel/index.js';
import { generateKeyPair } from '../kernel/index.js';
import { createLogger } from '../kernel/index.js';
import { CairnNode } from '../kernel/index.js';
import { TX_INDEX_APP } from '../kernel/index.js';
import { privateKeyFromHex, signTx, txId, type Tx } from '../kernel/index.js';
import { powConsensus } from '../plugins/consensus-pow/index.js';
import { memoryStore } from '../plugins/store-memory/index.js';
import { trackerDiscovery } from '../plugins/tracker/index.js';
import { MemoryNetwork, memoryTransport } from '../plugins/transport-memory/index.js';

/** One hash in 16 meets it: a block is sealed in microseconds, so tests wait on the network, not on mining. */
export const TEST_TARGET = '0' + 'f'.repeat(63);

export interface TestNetworkOptions {
  /** The chain apps every node runs. */
  apps: ChainApp[];
  /** Number of nodes (default 3), each a static peer of every earlier one. */
  nodes?: number;
  /** How many nodes mine, from the first (default 1); they mine only while transactions wait. */
  miners?: number;
  /** Each app's genesis input, by app id. */
  appParams?: Record<string, unknown>;
  /** Seed of the memory network's latency and loss; equal seeds replay a run. */
  seed?: number;
}

/** A key that signs transactions for one chain, numbering them so equal payloads stay distinct. */
export interface TestSigner {
  readonly publicKey: string;
  sign(app: string, type: string, payload: unknown): Tx;
}

export interface TestNetwork {
  readonly nodes: readonly CairnNode[];
  readonly network: MemoryNetwork;
  readonly chainId: string;
  /** A fresh Ed25519 key for this chain. */
  signer(): TestSigner;
  /** Submits a signed transaction to node `i` (the mempool path: a refusal throws its TxRejection); returns its id. */
  submit(i: number, tx: Tx): Promise<string>;
  /** Resolves once every node's best chain includes transaction `id`. */
  waitForTx(id: string, timeoutMs?: number): Promise<void>;
  /** Runs an app query on node `i`'s best chain. */
  query<T = unknown>(i: number, app: string, name: string, args?: Record<string, unknown>): T;
  stop(): Promise<void>;
}

/**
 * Starts in-process nodes on a memory network (no sockets, no disk) running `apps`: the quickest
 * way for an app's tests to see its transactions mined, gossiped and reduced on several nodes. Resolves once every
 * node has completed its handshake with every other.
 */
export async function startTestNetwork(options: TestNetworkOptions): Promise<TestNetwork> {
  const count = options.nodes ?? 3;
  const miners = options.miners ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > 64)
    throw new CairnError('CONFIG_INVALID', 'nodes must be a whole number from 1 to 64');
  if (!Number.isInteger(miners) || miners < 0 || miners > count)
    throw new CairnError('CONFIG_INVALID', `miners must be a whole number from 0 to ${count}`);
  const network = new MemoryNetwork({ latencyMs: 1, seed: options.seed ?? Math.floor(Math.random() * 2 ** 31) });
  const params = paramsFromFlags({
    difficulty: 'fixed',
    blockTime: 1,
    initialTarget: TEST_TARGET,
    apps: options.apps.map((a) => a.id),
    appParams: options.appParams,
  });
  const address = (i: number) => ({ host: `10.0.0.${i + 1}`, port: 7000 });
  const nodes: CairnNode[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const config = parseNodeConfig({
        dataDir: '/nonexistent',
        difficulty: 'fixed',
        initialTarget: TEST_TARGET,
        mine: i < miners ? 'on-demand' : 'off',
        logLevel: 'silent',
      });
      const peers = nodes.map((_, j) => `${address(j).host}:${address(j).port}`);
      const node = CairnNode.create({
        config,
        params,
        apps: options.apps,
        plugins: [memoryStore(), powConsensus(), memoryTransport({ network, ...address(i) }), trackerDiscovery({ peers })],
        logger: createLogger('silent'),
      });
      nodes.push(node);
      await node.start();
    }
    // Connected before anyone submits: a test's first transaction must not race the handshakes.
    const deadline = Date.now() + 10_000;
    while (!nodes.every((n) => (n.network?.book.ready().length ?? 0) >= count - 1)) {
      if (Date.now() > deadline) throw new CairnError('TEST_TIMEOUT', `the ${count} test nodes did not all connect within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw err;
  }
  const chainId = nodes[0]!.chainId;
  const at = (i: number): CairnNode => {
    const node = nodes[i];
    if (!node) throw new CairnError('CONFIG_INVALID', `there is no node ${i}: the network has nodes 0 to ${nodes.length - 1}`);
    return node;
  };

  return {
    nodes,
    network,
    chainId,
    signer: () => testSigner(chainId),
    async submit(i, tx) {
      return (await at(i).mempool.add(tx)).id;
    },
    async waitForTx(id, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!nodes.every((n) => n.chain.view(TX_INDEX_APP).has(id))) {
        if (Date.now() > deadline) {
          const missing = nodes.flatMap((n, i) => (n.chain.view(TX_INDEX_APP).has(id) ? [] : [i]));
          throw new CairnError(
            'TEST_TIMEOUT',
            `transaction ${id.slice(0, 12)} is not on the chain of node(s) ${missing.join(', ')} after ${timeoutMs} ms`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    query: <T>(i: number, app: string, name: string, args: Record<string, unknown> = {}) => at(i).chain.query(app, name, args) as T,
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
}

export function testSigner(chainId: string): TestSigner {
  const keys = generateKeyPair();
  const key = privateKeyFromHex(keys);
  let nonce = 0;
  return {
    publicKey: keys.publicKey,
    sign: (app, type, payload) => signTx(chainId, { app, type, payload, from: keys.publicKey, nonce: nonce++ }, key),
  };
}

/** The id a node gives `tx` on chain `chainId`. */
export function idOf(chainId: string, tx: Tx): string {
  return txId(chainId, tx);
}
