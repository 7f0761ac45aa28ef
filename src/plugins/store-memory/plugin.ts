import type { Plugin } from '../../kernel/index.js';
import { STORE } from '../../kernel/index.js';
import { MemoryStore } from './memory-store.js';

export interface MemoryStoreOptions {
  /** Shown in messages in place of a path; tells apart the stores of a simulated network. */
  location?: string;
}

/** Keeps the chain in memory: nothing survives the process. For tests and simulation. */
export function memoryStore(options: MemoryStoreOptions = {}): Plugin {
  return {
    name: 'store-memory',
    provides: [STORE],
    register(container) {
      // One instance per register call, so every node built from this plugin has its own data.
      container.register(STORE, { useValue: new MemoryStore(options.location) });
    },
  };
}
