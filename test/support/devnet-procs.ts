import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiClient } from '../../src/plugins/http-api/client.js';
import type { StatusResponse } from '../../src/plugins/http-api/types.js';
import { EASY_TARGET } from './chain-fixture.js';
import { CairnProcess } from './processes.js';
import { waitFor } from './wait.js';

/**
 * The fixture's target (one hash in 16): blocks are sealed at once, so a chain can be built in
 * process and served by a node process. Nodes mine on demand, so blocks come only with work.
 */
export const PROC_TARGET = EASY_TARGET;
/** The plain-JS test app a child process can load by path. */
export const NOTES_APP = fileURLToPath(new URL('./notes-app.mjs', import.meta.url));
/** Chain flags every node of a test network shares (equal flags, equal chain id). */
export const PROC_CHAIN_ARGS = ['--difficulty', 'fixed', '--initial-target', PROC_TARGET, '--app', NOTES_APP];

export type MineMode = 'on-demand' | 'always' | 'off';

export interface ProcNode {
  readonly name: string;
  readonly proc: CairnProcess;
  readonly dir: string;
  /** Transport address, HOST:PORT. */
  readonly address: string;
  readonly chainId: string;
  readonly api: ApiClient;
  /** Arguments it was started with, for a restart on the same data dir. */
  readonly args: string[];
}

export interface NodeOptions {
  mine?: MineMode;
  /** Data dir to use (default: a fresh temp dir the net removes). */
  dir?: string;
  /** Tracker HOST:PORT; default the net's tracker; null for none. */
  tracker?: string | null;
  /** Chain flags; default PROC_CHAIN_ARGS. */
  chainArgs?: string[];
  /**
   * Pause before each block, ms. Default: 500 × the node's index. With on-demand mining every
   * node that holds a transaction mines it; staggered pauses let the first node awake that has
   * the transaction mine it while the others see its block well before their pause ends, so a
   * test knows which node can have mined a block and forks happen only where a test forces one.
   */
  miningDelay?: number;
  extraArgs?: string[];
  name?: string;
  /** Environment of the node process, on top of this one's (e.g. NODE_OPTIONS for a memory cap). */
  env?: NodeJS.ProcessEnv;
}

/** A free TCP port on 127.0.0.1, for a tracker that is started later at a known address. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A tracker and node processes on loopback, each node with its own data dir and API. `stop()`
 * kills every process it started (SIGKILL: tests must not wait on a wedged child) and removes
 * the temp dirs: call it in afterEach.
 */
export class ProcNet {
  tracker: CairnProcess | undefined;
  trackerAddress: string | undefined;
  readonly nodes: ProcNode[] = [];
  private readonly procs: CairnProcess[] = [];
  private readonly dirs: string[] = [];

  tempDir(prefix = 'cairn-net-'): string {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  /** Starts `cairn tracker start --json` and resolves with its HOST:PORT. */
  async startTracker(options: { port?: number; ttlMs?: number } = {}): Promise<string> {
    const args = ['tracker', 'start', '--json', '--port', String(options.port ?? 0)];
    if (options.ttlMs !== undefined) args.push('--ttl-ms', String(options.ttlMs));
    const tracker = new CairnProcess(args);
    this.procs.push(tracker);
    const line = await tracker.waitForLine(/"event":"started"/, 20_000);
    this.tracker = tracker;
    this.trackerAddress = (JSON.parse(line) as { address: string }).address;
    return this.trackerAddress;
  }

  /** The tracker's membership events so far (joined, left, evicted). */
  trackerEvents(tracker = this.tracker): Array<{ event: string; peer: string; peers: number; reason?: string; chainId: string }> {
    return (tracker?.jsonLines() ?? []).filter((e) => e.event !== 'started' && e.event !== 'stopped') as never;
  }

  async startNode(options: NodeOptions = {}): Promise<ProcNode> {
    const dir = options.dir ?? this.tempDir();
    const tracker = options.tracker === undefined ? this.trackerAddress : (options.tracker ?? undefined);
    const args = [
      'node',
      'start',
      '--json',
      '--data-dir',
      dir,
      '--port',
      '0',
      '--api-port',
      '0',
      '--mine',
      options.mine ?? 'on-demand',
      '--mining-delay',
      String(options.miningDelay ?? 500 * this.nodes.length),
      ...(tracker ? ['--tracker', tracker] : []),
      ...(options.chainArgs ?? PROC_CHAIN_ARGS),
      ...(options.extraArgs ?? []),
    ];
    return this.launch(options.name ?? `node${this.nodes.length}`, args, dir, options.env);
  }

  /** Starts a node again on its data dir, with the arguments it had; it replaces the old entry. */
  async restart(node: ProcNode): Promise<ProcNode> {
    if (node.proc.running) await node.proc.kill('SIGKILL');
    const again = await this.launch(node.name, node.args, node.dir);
    this.nodes.splice(this.nodes.indexOf(again), 1);
    this.nodes[this.nodes.indexOf(node)] = again;
    return again;
  }

  private async launch(name: string, args: string[], dir: string, env?: NodeJS.ProcessEnv): Promise<ProcNode> {
    const proc = new CairnProcess(args, env);
    this.procs.push(proc);
    const line = await proc.waitForLine(/"event":"started"/, 30_000);
    const started = JSON.parse(line) as { address: string; chainId: string };
    const api = await ApiClient.fromDataDir(dir, { timeoutMs: 5000 });
    const node: ProcNode = { name, proc, dir, address: started.address, chainId: started.chainId, api, args };
    this.nodes.push(node);
    return node;
  }

  async stop(): Promise<void> {
    await Promise.all(this.procs.splice(0).map((p) => p.kill('SIGKILL')));
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    this.nodes.length = 0;
    this.tracker = undefined;
  }
}

/** Status of every node; a node that does not answer fails the poll rather than the test. */
export async function statuses(nodes: readonly ProcNode[]): Promise<StatusResponse[] | undefined> {
  try {
    return await Promise.all(nodes.map((n) => n.api.status()));
  } catch {
    return undefined;
  }
}

/** Waits until every node reports the same tip (and, if given, at least `minHeight`); returns it. */
export async function waitForAgreement(
  nodes: readonly ProcNode[],
  options: { minHeight?: number; timeoutMs?: number } = {},
): Promise<StatusResponse> {
  let last: StatusResponse[] | undefined;
  try {
    await waitFor(
      `${nodes.length} nodes to agree on one tip`,
      async () => {
        last = await statuses(nodes);
        return !!last && last.every((s) => s.tip === last![0]!.tip && s.height >= (options.minHeight ?? 0));
      },
      options.timeoutMs ?? 30_000,
      100,
    );
  } catch (err) {
    const seen = last?.map((s, i) => `${nodes[i]!.name}@${s.height}:${s.tip.slice(0, 8)}/peers ${s.peers}`).join(', ');
    throw new Error(`${(err as Error).message}; last seen: ${seen ?? 'no answer'}`, { cause: err });
  }
  return last![0]!;
}

/** Waits until every node has at least `count` ready peers. */
export async function waitForPeers(nodes: readonly ProcNode[], count: number, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    `${nodes.length} nodes to have ${count} ready peers each`,
    async () => (await statuses(nodes))?.every((s) => s.peers >= count) ?? false,
    timeoutMs,
    100,
  );
}

/** Waits until every transaction of `ids` is confirmed on the best chain of every node. */
export async function confirmedEverywhere(nodes: readonly ProcNode[], ids: readonly string[], timeoutMs = 20_000): Promise<void> {
  let missing = '';
  try {
    await waitFor(
      `${ids.length} transactions confirmed on ${nodes.length} nodes`,
      async () => {
        for (const n of nodes)
          for (const id of ids) {
            const status = await n.api.txStatus(id).catch((err: { code?: string }) => ({ status: err.code ?? 'unreachable' }));
            if (status.status !== 'confirmed') {
              missing = `${id.slice(0, 8)} is ${status.status} on ${n.name}`;
              return false;
            }
          }
        return true;
      },
      timeoutMs,
      100,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}: ${missing}`, { cause: err });
  }
}
