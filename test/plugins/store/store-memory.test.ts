import { container as rootContainer } from 'tsyringe';
import { describe, expect, it } from 'vitest';
import type { NodeConfig } from '../../../src/kernel/config.js';
import type { ChainParams } from '../../../src/kernel/params.js';
import type { Store } from '../../../src/kernel/services.js';
import { STORE } from '../../../src/kernel/tokens.js';
import { MemoryStore, memoryStore } from '../../../src/plugins/store-memory/index.js';
import { describeStoreCompliance } from '../../../src/testing/index.js';
import { vitestApi } from '../vitest-compliance.js';

describeStoreCompliance(vitestApi, 'store-memory', async () => ({ store: new MemoryStore() }));

describe('store-memory plugin', () => {
  const context = { config: { dataDir: '/unused' } as NodeConfig, params: {} as ChainParams };

  it('gives every node its own store, even from one plugin value', async () => {
    const plugin = memoryStore({ location: 'memory:sim' });
    expect(plugin.name).toBe('store-memory');
    expect(plugin.provides).toEqual([STORE]);
    const nodeA = rootContainer.createChildContainer();
    const nodeB = rootContainer.createChildContainer();
    plugin.register(nodeA, context);
    plugin.register(nodeB, context);
    const storeA = nodeA.resolve<Store>(STORE);
    const storeB = nodeB.resolve<Store>(STORE);
    expect(storeA).toBe(nodeA.resolve<Store>(STORE));
    expect(storeA).not.toBe(storeB);
    expect(storeA.location).toBe('memory:sim');
    await storeA.start?.();
    await storeB.start?.();
    await storeA.batch([{ type: 'put', key: 'k', value: 'a' }]);
    expect(await storeB.get('k')).toBeUndefined();
  });
});
