// The example of docs/writing-a-plugin.md, kept here so the doc cannot drift from code that works.
// `../../src/index.js` is what a plugin package imports as '@cairn-chain/cairn', `../../src/testing/index.js` as '@cairn-chain/cairn/testing'.
import { describe, expect, it } from 'vitest';
import {
  CairnNode,
  checkedOps,
  createLogger,
  paramsFromFlags,
  parseNodeConfig,
  powConsensus,
  STORE,
  StoreError,
  type Plugin,
  type Store,
  type StoreOp,
} from '../../src/index.js';
import { describeStoreCompliance } from '../../src/testing/index.js';
import { vitestApi } from '../plugins/vitest-compliance.js';

// --- the plugin, as the doc shows it ---

/** Byte order of the UTF-8 encoding, the order the kernel's key layout is designed for. */
const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

class MapStore implements Store {
  readonly location = 'map';
  private readonly data = new Map<string, string>();
  private open = false;

  start(): void {
    this.open = true;
  }

  stop(): void {
    this.open = false;
  }

  async get(key: string): Promise<string | undefined> {
    this.assertOpen();
    return this.data.get(key);
  }

  async batch(ops: readonly StoreOp[]): Promise<void> {
    this.assertOpen();
    // Checks the whole batch first: one bad op rejects it with nothing written.
    for (const op of checkedOps(ops, this.location)) {
      if (op.type === 'put') this.data.set(op.key, op.value);
      else this.data.delete(op.key);
    }
  }

  async *iterate(prefix: string): AsyncIterable<[string, string]> {
    this.assertOpen();
    // Collected before the first yield: a batch made while the caller iterates must not show.
    const entries = [...this.data].filter(([key]) => key.startsWith(prefix)).sort(([a], [b]) => byUtf8(a, b));
    yield* entries;
  }

  private assertOpen(): void {
    if (!this.open) throw new StoreError('STORE_CLOSED', `the store at ${this.location} is not open`, { location: this.location });
  }
}

export function mapStore(): Plugin {
  return {
    name: 'store-map',
    provides: [STORE],
    register(container) {
      // One store per call: each node built from this plugin value gets its own data.
      container.register(STORE, { useValue: new MapStore() });
    },
  };
}

// --- its tests ---

describeStoreCompliance(vitestApi, 'store-map', async () => ({ store: new MapStore() }));

describe('store-map in a node', () => {
  it('keeps the chain of a node assembled with it', async () => {
    const target = '0' + 'f'.repeat(63);
    const node = CairnNode.create({
      config: parseNodeConfig({ dataDir: '/nonexistent', difficulty: 'fixed', initialTarget: target, mine: 'off', logLevel: 'silent' }),
      params: paramsFromFlags({ difficulty: 'fixed', blockTime: 1, initialTarget: target, apps: [] }),
      apps: [],
      plugins: [mapStore(), powConsensus({ miners: 1 })],
      logger: createLogger('silent'),
    });
    await node.start();
    try {
      const store = node.container.resolve<Store>(STORE);
      expect(store).toBeInstanceOf(MapStore);
      const records: string[] = [];
      for await (const [key] of store.iterate('')) records.push(key);
      // The genesis block, at least, is on it.
      expect(records.length).toBeGreaterThan(0);
      expect(node.chain.tip().height).toBe(0);
    } finally {
      await node.stop();
    }
  });
});
