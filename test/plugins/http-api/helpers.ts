import { afterEach } from 'vitest';
import { API, type CairnNode } from '../../../src/kernel/index.js';
import { httpApi, type HttpApi } from '../../../src/plugins/http-api/index.js';
import { startNode, tempDir } from '../../support/chain-fixture.js';

export interface ApiNode {
  node: CairnNode;
  api: HttpApi;
  dataDir: string;
  url: string;
  token: string;
}

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A node with the registry app and the API on a free loopback port, in its own temp data dir; stopped after the test. */
export async function startApiNode(): Promise<ApiNode> {
  const dir = tempDir('cairn-api-');
  cleanups.push(() => dir.remove());
  const node = await startNode({ dataDir: dir.path, plugins: [httpApi({ port: 0 })] });
  cleanups.push(() => node.stop());
  const api = node.resolve<HttpApi>(API);
  return { node, api, dataDir: dir.path, url: api.address, token: api.token };
}

export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

export interface HttpResult {
  status: number;
  contentType: string | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** One raw HTTP request, so tests see exactly what any client would. */
export async function http(
  url: string,
  method: string,
  path: string,
  opts: { body?: unknown; raw?: string; token?: string } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = {};
  if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(url + path, {
    method,
    headers,
    body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
  });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), body: text ? JSON.parse(text) : undefined };
}
