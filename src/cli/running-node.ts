import path from 'node:path';
import { StoreError } from '../kernel/index.js';
import { ApiClient } from '../plugins/http-api/index.js';
import { storeInUse } from '../plugins/store-level/index.js';

/**
 * The node that holds the data dir's store, when one does and its API answers: a read-only
 * command then asks it instead of failing on the lock. Undefined when the store is free.
 * A store held by something that does not answer is STORE_LOCKED, said with what to do.
 */
export async function runningNodeOf(dataDir: string, command: string): Promise<ApiClient | undefined> {
  const location = path.join(path.resolve(dataDir), 'chain');
  if (!(await storeInUse(location))) return undefined;
  try {
    const api = await ApiClient.fromDataDir(dataDir, { timeoutMs: 5_000 });
    await api.status();
    return api;
  } catch {
    throw new StoreError(
      'STORE_LOCKED',
      `the store at ${location} is open in another process that serves no API here: stop it before \`${command}\`, or start the node with --api-port so that \`${command}\` can ask it`,
      { location },
    );
  }
}
