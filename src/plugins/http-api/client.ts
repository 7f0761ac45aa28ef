import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseUntrustedJson, type Tx } from '../../kernel/index.js';
import { COOKIE_FILE, URL_FILE } from './cookie.js';
import { ApiError } from './errors.js';
import type {
  ApiErrorBody,
  ApiEvent,
  ApiEventType,
  AppsResponse,
  BlockResponse,
  BlocksResponse,
  PeersResponse,
  StatusResponse,
  TxStatusResponse,
  TxSubmitResponse,
  TxsSubmitResponse,
} from './types.js';

/** The largest answer a client reads: a page of 100 block summaries of 5,000 ids each fits. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** The longest event a client buffers: a block event lists at most 5,000 ids (~350 KB). */
const MAX_EVENT_CHARS = 16 * 1024 * 1024;

export interface ApiClientOptions {
  /** Per-request time limit (ms); event streams have none. */
  timeoutMs?: number;
}

export interface EventSubscription {
  close(): void;
  /** Settles when the stream ends: by `close()` (resolves), or when the node goes away (rejects). */
  readonly done: Promise<void>;
}

/**
 * A typed client of the node API, for commands (`cairn node status`, `cairn vote ...`) and
 * tests. Every failure is a CairnError: the server's code and sentence, or NODE_NOT_RUNNING.
 */
export class ApiClient {
  readonly url: string;
  private readonly timeoutMs: number;

  constructor(
    url: string,
    private readonly token?: string,
    options: ApiClientOptions = {},
  ) {
    this.url = url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** The node whose data dir is `dir`, from the api.url and api.cookie files it wrote at start. */
  static async fromDataDir(dir: string, options?: ApiClientOptions): Promise<ApiClient> {
    let url: string;
    let token: string;
    try {
      url = (await readFile(join(dir, URL_FILE), 'utf8')).trim();
      token = (await readFile(join(dir, COOKIE_FILE), 'utf8')).trim();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new ApiError('NODE_UNREADABLE', `cannot read the node API files in ${dir}: ${(err as Error).message}`, 0);
      }
      throw new ApiError('NODE_NOT_RUNNING', `no node is running on data dir ${dir}: start one with cairn node start`, 0, { dataDir: dir });
    }
    return new ApiClient(url, token, options);
  }

  status(): Promise<StatusResponse> {
    return this.request('GET', '/status');
  }

  peers(): Promise<PeersResponse> {
    return this.request('GET', '/peers');
  }

  /** Blocks of the best chain from height `from`; without it, the latest page. */
  blocks(from?: number, limit?: number): Promise<BlocksResponse> {
    const params = new URLSearchParams();
    if (from !== undefined) params.set('from', String(from));
    if (limit !== undefined) params.set('limit', String(limit));
    const qs = params.toString();
    return this.request('GET', `/blocks${qs ? `?${qs}` : ''}`);
  }

  /** A block by hash (any branch), or by height (a number) on the best chain. */
  block(hashOrHeight: string | number): Promise<BlockResponse> {
    return this.request('GET', `/blocks/${encodeURIComponent(String(hashOrHeight))}`);
  }

  /** Submits a signed transaction; `known: true` when the node already had it. */
  submitTx(tx: Tx): Promise<TxSubmitResponse> {
    return this.request('POST', '/tx', tx);
  }

  /** Submits up to 1,000 signed transactions in one request; the answer has one result per transaction, in order. */
  submitTxs(txs: Tx[]): Promise<TxsSubmitResponse> {
    return this.request('POST', '/txs', txs);
  }

  /** Where the transaction is (pending, or its block on the best chain) and the transaction itself. */
  txStatus(id: string): Promise<TxStatusResponse> {
    return this.request('GET', `/tx/${encodeURIComponent(id)}`);
  }

  /** The chain's apps, with each transaction type's payload JSON Schema. */
  apps(): Promise<AppsResponse> {
    return this.request('GET', '/apps');
  }

  async query<T = unknown>(app: string, name: string, args: Record<string, unknown> = {}): Promise<T> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(args)) if (value !== undefined) params.set(key, encodeArg(value));
    const qs = params.toString();
    const body = await this.request<{ result: T }>(
      'GET',
      `/apps/${encodeURIComponent(app)}/${encodeURIComponent(name)}${qs ? `?${qs}` : ''}`,
    );
    return body.result;
  }

  /**
   * Follows the node's events (Server-Sent Events over a fetch stream). Resolves once the node
   * has subscribed the stream, so no event after that moment is missed.
   */
  async events(onEvent: (event: ApiEvent) => void, options: { types?: ApiEventType[] } = {}): Promise<EventSubscription> {
    const controller = new AbortController();
    const qs = options.types?.length ? `?types=${options.types.join(',')}` : '';
    const res = await this.fetch(`/events${qs}`, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
    if (!res.ok || !res.body) throw await this.errorOf(res);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let closed = false;
    const done = (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { value, done: ended } = await reader.read();
          if (ended) break;
          buffer += value;
          // An event is a block's ids at most: a stream that never ends one is not a node's.
          if (buffer.length > MAX_EVENT_CHARS) throw new Error(`an event longer than ${MAX_EVENT_CHARS / 1024 / 1024} M characters`);
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const event = parseSse(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            if (event) onEvent(event);
          }
        }
      } catch (err) {
        if (closed) return;
        throw new ApiError('NODE_GONE', `the event stream from ${this.url} broke: ${(err as Error).message}`, 0);
      }
    })();
    done.catch(() => undefined); // the caller may never await it
    return {
      close: () => {
        closed = true;
        controller.abort();
      },
      done,
    };
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method === 'POST' && this.token) headers.authorization = `Bearer ${this.token}`;
    const res = await this.fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) throw await this.errorOf(res);
    return this.bodyOf<T>(res);
  }

  /**
   * The answer, bounded before it is parsed: `--node` may name anything that speaks HTTP, and a
   * page that is not the node's JSON (or a stream without end) is a sentence, not a parser error.
   */
  private async bodyOf<T>(res: Response): Promise<T> {
    const notOurs = (why: string) =>
      new ApiError('API_BAD_RESPONSE', `${this.url} did not answer as a cairn node does: ${why}`, res.status);
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of res.body ?? []) {
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) {
        await res.body?.cancel().catch(() => undefined);
        throw notOurs(`its answer is larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB`);
      }
      chunks.push(chunk);
    }
    try {
      return parseUntrustedJson(Buffer.concat(chunks)) as T;
    } catch (err) {
      throw notOurs((err as Error).message);
    }
  }

  private async fetch(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(this.url + path, init);
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      if (cause === 'ECONNREFUSED' || cause === 'ECONNRESET' || cause === 'UND_ERR_SOCKET') {
        throw new ApiError('NODE_NOT_RUNNING', `no node is running at ${this.url} (connection refused)`, 0, { url: this.url });
      }
      if ((err as Error).name === 'TimeoutError')
        throw new ApiError('NODE_TIMEOUT', `the node at ${this.url} did not answer within ${this.timeoutMs} ms`, 0);
      throw new ApiError('NODE_UNREACHABLE', `cannot reach the node at ${this.url}: ${(err as Error).message}`, 0);
    }
  }

  private async errorOf(res: Response): Promise<ApiError> {
    const text = await res.text().catch(() => '');
    try {
      const { error } = JSON.parse(text) as ApiErrorBody;
      if (typeof error?.code === 'string' && typeof error.message === 'string') return new ApiError(error.code, error.message, res.status);
    } catch {
      // not our JSON: fall through
    }
    return new ApiError('API_BAD_RESPONSE', `the node answered ${res.status} ${res.statusText}`, res.status);
  }
}

/**
 * Query arguments travel as text and the server decodes each as JSON when it parses: a string
 * that would parse (`"42"`, `"true"`) is sent quoted so it arrives as a string.
 */
export function encodeArg(value: unknown): string {
  if (typeof value !== 'string') return JSON.stringify(value);
  try {
    JSON.parse(value);
    return JSON.stringify(value);
  } catch {
    return value;
  }
}

function parseSse(chunk: string): ApiEvent | undefined {
  let type = 'message';
  const data: string[] = [];
  for (const line of chunk.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return undefined;
  return { type, data: parseUntrustedJson(data.join('\n')) } as ApiEvent;
}
