import path from 'node:path';
import { ConfigError } from '../../kernel/index.js';
import type { Plugin } from '../../kernel/index.js';
import { STORE } from '../../kernel/index.js';
import { LevelStore } from './level-store.js';

export interface LevelStoreOptions {
  /** Where the database lives; defaults to `<dataDir>/chain`. */
  path?: string;
}

/** Keeps the chain in LevelDB under the node's data directory. */
export function levelStore(options: LevelStoreOptions = {}): Plugin {
  if (options.path !== undefined && (typeof options.path !== 'string' || options.path.length === 0)) {
    throw new ConfigError('CONFIG_INVALID', 'the store-level path option must be a non-empty string');
  }
  return {
    name: 'store-level',
    provides: [STORE],
    register(container, { config }) {
      // Absolute, so every message names the directory a person can find.
      const location = path.resolve(options.path ?? path.join(config.dataDir, 'chain'));
      container.register(STORE, { useValue: new LevelStore(location) });
    },
  };
}
