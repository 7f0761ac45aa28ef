import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CairnError, ConfigError } from '../kernel/index.js';
import { storeInUse } from '../plugins/store-level/index.js';
import { ApiClient, COOKIE_FILE, URL_FILE, type ApiClientOptions } from '../plugins/http-api/index.js';

export interface NodeClientFlags {
  'data-dir': string;
  node?: string;
  token?: string;
}

/**
 * The client of the node a command means: `--node URL` (with `--token`, or the data dir's
 * cookie when that data dir's node serves this URL), else the node running on `--data-dir`.
 */
export async function nodeClient(flags: NodeClientFlags, options?: ApiClientOptions): Promise<ApiClient> {
  const dataDir = path.resolve(flags['data-dir']);
  if (flags.node === undefined) {
    const client = await ApiClient.fromDataDir(dataDir, options).catch(async (err: unknown) => {
      throw (await servesNoApi(dataDir, err)) ?? err;
    });
    return flags.token === undefined ? client : new ApiClient(client.url, flags.token, options);
  }
  const url = parseNodeUrl(flags.node);
  return new ApiClient(url, flags.token ?? (await cookieServing(dataDir, url)), options);
}

function parseNodeUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError('CONFIG_INVALID', `--node expects a URL such as http://127.0.0.1:8080, not '${text}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError('CONFIG_INVALID', `--node expects an http:// or https:// URL, not '${text}'`);
  return url.href.replace(/\/+$/, '');
}

/** The data dir's token, but only if its node is the one at `url`: never send a token elsewhere. */
async function cookieServing(dataDir: string, url: string): Promise<string | undefined> {
  try {
    const served = (await readFile(path.join(dataDir, URL_FILE), 'utf8')).trim().replace(/\/+$/, '');
    if (served !== url) return undefined;
    return (await readFile(path.join(dataDir, COOKIE_FILE), 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/**
 * "No node is running" is wrong when one is, started without --api-port: it holds the store but
 * wrote no api.url. Said as such, or the user starts a second node and meets STORE_LOCKED.
 */
async function servesNoApi(dataDir: string, err: unknown): Promise<CairnError | undefined> {
  if (!(err instanceof CairnError) || err.code !== 'NODE_NOT_RUNNING') return undefined;
  if (!(await storeInUse(path.join(dataDir, 'chain')))) return undefined;
  return new CairnError(
    'NODE_NO_API',
    `the node running on ${dataDir} serves no API: restart it with --api-port (0 picks a free port), or give this command --node URL`,
    { dataDir },
  );
}
