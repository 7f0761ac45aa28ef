import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { headerHash } from '../../../src/kernel/block.js';
import { paramsFromFlags } from '../../../src/kernel/chain-params.js';
import { parseNodeConfig } from '../../../src/kernel/config.js';
import { createLogger } from '../../../src/kernel/logger.js';
import { CairnNode } from '../../../src/kernel/node.js';
import type { Plugin } from '../../../src/kernel/plugin.js';
import type { Store, StoreOp } from '../../../src/kernel/services.js';
import { CONSENSUS, STORE } from '../../../src/kernel/tokens.js';
import { powConsensus, type PowConsensus } from '../../../src/plugins/consensus-pow/index.js';

/** The least store a node runs on, so this test needs no other plugin. */
function mapStore(): Plugin {
  const data = new Map<string, string>();
  const store: Store = {
    location: 'memory',
    get: async (key) => data.get(key),
    batch: async (ops: readonly StoreOp[]) => {
      for (const op of ops)
        if (op.type === 'put') data.set(op.key, op.value);
        else data.delete(op.key);
    },
    async *iterate(prefix) {
      for (const key of [...data.keys()].filter((k) => k.startsWith(prefix)).sort()) yield [key, data.get(key)!];
    },
  };
  return { name: 'map-store', provides: [STORE], register: (c) => c.register(STORE, { useValue: store }) };
}

describe('consensus-pow in a node', () => {
  for (const difficulty of ['asert', 'cs60'] as const) {
    it(`mines blocks its own chain accepts (${difficulty})`, async () => {
      const config = parseNodeConfig({
        dataDir: '/nonexistent',
        difficulty,
        blockTime: 0.05,
        initialTarget: '00' + 'f'.repeat(62),
        mine: 'always',
        miners: 2,
        logLevel: 'silent',
      });
      const params = paramsFromFlags({ difficulty, blockTime: config.blockTime, initialTarget: config.initialTarget, apps: [] });
      const node = CairnNode.create({ config, params, apps: [], plugins: [mapStore(), powConsensus()], logger: createLogger('silent') });
      const pids: number[] = [];
      try {
        await node.start();
        const deadline = Date.now() + 20_000;
        while (node.chain.tip().height < 8 && Date.now() < deadline) await sleep(20);
        const tip = node.chain.tip();
        expect(tip.height).toBeGreaterThanOrEqual(8);
        expect(headerHash(tip.header) <= tip.header.target).toBe(true);
        pids.push(...node.resolve<PowConsensus>(CONSENSUS).minerPids);
        expect(pids).toHaveLength(2);
      } finally {
        await node.stop();
      }
      for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    });
  }
});
