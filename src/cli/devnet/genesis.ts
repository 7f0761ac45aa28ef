import { existsSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEVNET_VOTING_PARAMS, VOTING_APP_ID } from '../../apps/voting/index.js';
import { ConfigError } from '../../kernel/index.js';
import { genesisFileFor, paramsFromFlags, readGenesisFile, type GenesisFile } from '../../kernel/index.js';

/** Genesis parameters a devnet gives the built-in apps it knows; other apps start from `{}`. */
export const DEVNET_APP_PARAMS: Readonly<Record<string, unknown>> = { [VOTING_APP_ID]: DEVNET_VOTING_PARAMS };

export const DEVNET_NETWORK = 'devnet';

export interface DevnetChainOptions {
  /** Ids of the chain's apps. */
  apps: string[];
  /** Target seconds between blocks (ASERT). */
  blockTime: number;
  /** Per-app genesis parameters; default DEVNET_APP_PARAMS for the apps that have some. */
  appParams?: Record<string, unknown>;
}

export function devnetGenesis(options: DevnetChainOptions): GenesisFile {
  const appParams: Record<string, unknown> = {};
  for (const id of options.apps) {
    const p = options.appParams?.[id] ?? DEVNET_APP_PARAMS[id];
    if (p !== undefined) appParams[id] = p;
  }
  return genesisFileFor(
    paramsFromFlags({ difficulty: 'asert', blockTime: options.blockTime, apps: options.apps, network: DEVNET_NETWORK, appParams }),
  );
}

/**
 * Writes `file` once: a devnet started again on the same `--dir` must find the chain its nodes
 * hold, so an existing file is kept when it describes the same chain and refused otherwise.
 */
export function writeDevnetGenesis(file: string, genesis: GenesisFile): GenesisFile {
  if (existsSync(file)) {
    const existing = readGenesisFile(file);
    if (existing.chainId !== genesis.chainId) {
      const apps = (ids: string[]) => (ids.length > 0 ? ids.join(', ') : 'none');
      throw new ConfigError(
        'DEVNET_FOREIGN',
        `${path.dirname(file)} holds another devnet chain (apps ${apps(existing.params.apps)}, block time ${existing.params.consensus.blockTimeMs / 1000} s); choose another --dir or remove it`,
      );
    }
    return existing;
  }
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(genesis, null, 2) + '\n');
  renameSync(tmp, file);
  return genesis;
}
