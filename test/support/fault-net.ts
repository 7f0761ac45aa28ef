import { decodeMessage, TRANSPORT, type CairnNode, type Message, type NodeConfig, type Transport } from '../../src/kernel/index.js';
import { faults, type FaultSpec } from '../../src/plugins/faults/index.js';
import { trackerDiscovery } from '../../src/plugins/tracker/index.js';
import { MemoryNetwork, memoryTransport, type MemoryNetworkOptions } from '../../src/plugins/transport-memory/index.js';
import { startNode, type FixtureOptions } from './chain-fixture.js';
import { waitFor } from './wait.js';

export interface FaultNet {
  network: MemoryNetwork;
  honest: CairnNode[];
  /** One faulty node per entry of `faulty`, in that order. */
  faulty: CairnNode[];
  seed: number;
  /** The HOST:PORT key under which peers know a node. */
  keyOf(node: CairnNode): string;
  stop(): Promise<void>;
}

/**
 * Honest nodes and faulty nodes (each with its own list of faults) on one seeded memory
 * network; every node knows every earlier one as a static peer. The seed drives both the
 * network's and the faults' random choices (CAIRN_SEED replays a run).
 */
export async function startFaultNet(options: {
  honest?: number;
  faulty: Array<Array<FaultSpec | string>>;
  link?: MemoryNetworkOptions;
  fixture?: FixtureOptions;
  honestConfig?: Partial<NodeConfig>;
  faultyConfig?: Partial<NodeConfig>;
}): Promise<FaultNet> {
  const seed = Number(process.env.CAIRN_SEED ?? options.link?.seed ?? Math.floor(Math.random() * 2 ** 31));
  const network = new MemoryNetwork({ latencyMs: 1, ...options.link, seed });
  const all: CairnNode[] = [];
  const keys = new Map<CairnNode, string>();
  const add = async (config: Partial<NodeConfig>, extra: ReturnType<typeof faults>[]) => {
    const i = all.length;
    const address = { host: `10.0.1.${i + 1}`, port: 7000 };
    const peers = [...keys.values()];
    const node = await startNode({
      ...options.fixture,
      config: { ...options.fixture?.config, ...config },
      plugins: [memoryTransport({ network, ...address }), trackerDiscovery({ peers }), ...extra],
    });
    all.push(node);
    keys.set(node, `${address.host}:${address.port}`);
    return node;
  };
  const honest: CairnNode[] = [];
  const faulty: CairnNode[] = [];
  const net: FaultNet = {
    network,
    honest,
    faulty,
    seed,
    keyOf: (node) => keys.get(node)!,
    stop: async () => void (await Promise.all(all.map((n) => n.stop()))),
  };
  try {
    for (let i = 0; i < (options.honest ?? 2); i++) honest.push(await add(options.honestConfig ?? {}, []));
    for (const [i, list] of options.faulty.entries())
      faulty.push(await add(options.faultyConfig ?? {}, [faults({ faults: list, seed: seed + i + 1 })]));
  } catch (err) {
    await net.stop();
    throw err;
  }
  return net;
}

/** What `node` counted against `peer`, whether the peer is still connected or already banned. */
export function rejectionsFrom(node: CairnNode, peer: string): Record<string, number> {
  const stats = node.network!.stats();
  return stats.peers.find((p) => p.peer === peer)?.rejections ?? stats.banned.find((b) => b.peer === peer)?.rejections ?? {};
}

export function isBanned(node: CairnNode, peer: string): boolean {
  return node.network!.stats().banned.some((b) => b.peer === peer);
}

/** Waits until every honest node is ready with every other honest node. */
export async function honestReady(net: FaultNet): Promise<void> {
  await waitFor('honest peers to be ready', () =>
    net.honest.every((n) => net.honest.every((m) => m === n || n.network!.book.ready().some((p) => p.key === net.keyOf(m)))),
  );
}

/** One message as it reached a node's transport, before the node judged it. */
export interface Heard {
  /** The sender's HOST:PORT. */
  from: string;
  message: Message;
  at: number;
}

/**
 * Records every message that reaches `node` from now on (and that `keep` selects), decoded, as
 * its transport hands it over: proof that a fault really sent something, whatever the node then
 * made of it. Bytes that do not decode are not messages and are left out.
 */
export function hearing(node: CairnNode, keep: (h: Heard) => boolean = () => true): Heard[] {
  const heard: Heard[] = [];
  node.resolve<Transport>(TRANSPORT).onMessage((from, bytes) => {
    let message: Message;
    try {
      message = decodeMessage(bytes);
    } catch {
      return;
    }
    const h = { from: `${from.host}:${from.port}`, message, at: Date.now() };
    if (keep(h)) heard.push(h);
  });
  return heard;
}
