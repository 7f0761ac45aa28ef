import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadApps } from '../../apps/registry.js';
import { CairnError } from '../../kernel/index.js';
import { ApiClient, COOKIE_FILE, type ApiClientOptions, type StatusResponse } from '../../plugins/http-api/index.js';
import { CairnChild, type ChildExit } from './child.js';
import { resolveDevnetOptions, type DevnetOptions, type ResolvedDevnetOptions } from './devnet-options.js';
import { devnetGenesis, writeDevnetGenesis } from './genesis.js';
import { isMalicious, nodeStartArgs, startWaves, trackerStartArgs } from './node-args.js';

export { MAX_DEVNET_NODES, type DevnetOptions } from './devnet-options.js';

export interface DevnetNode {
  index: number;
  dataDir: string;
  apiUrl: string;
  /** Transport address, HOST:PORT. */
  address: string;
  process: ChildProcess;
  /** Runs with the devnet's `--fault` flags. */
  malicious: boolean;
  /** Its stdout lines, for code that follows the node's own events. */
  child: CairnChild;
}

/** A child that ended while the devnet was running. */
export interface DevnetExit extends ChildExit {
  /** `tracker` or `node 2`. */
  name: string;
  /** The node's index; undefined for the tracker. */
  index?: number;
  /** Why, in a few words: the child's own error sentence when it printed one. */
  reason: string;
}

/** One node's answer to a status poll: its status, or why it gave none. */
export interface NodeStatusResult {
  index: number;
  status?: StatusResponse;
  error?: { code: string; message: string };
}

interface DevnetEvents {
  exit: [DevnetExit];
  /** A JSON line a node printed (`block`, `reorg`, ...). */
  'node-event': [{ index: number; event: Record<string, unknown> }];
}

/**
 * A tracker and N `cairn node start` processes on loopback, all on one devnet chain written to
 * `<dir>/genesis.json`, each in `<dir>/node-<i>`. `start()` resolves once every child has
 * printed its `started` line; `stop()` ends them all (SIGTERM, then SIGKILL after a grace
 * period) and removes a temp dir. Should the devnet's own process exit without `stop()`, the
 * children are killed on its way out.
 */
export class Devnet extends EventEmitter<DevnetEvents> {
  readonly options: ResolvedDevnetOptions;
  dir = '';
  /** The devnet created `dir` and removes it at stop. */
  ownsDir = false;
  chainId = '';
  genesisFile = '';
  /** App ids of the chain. */
  appIds: string[] = [];
  trackerAddress = '';
  tracker?: CairnChild;
  nodes: DevnetNode[] = [];
  private readonly tokens = new Map<number, string>();
  private readonly spawned: CairnChild[] = [];
  private stopping?: Promise<void>;
  private readonly onProcessExit = () => this.killNow();

  constructor(options: DevnetOptions = {}) {
    super();
    this.options = resolveDevnetOptions(options);
  }

  get stopped(): boolean {
    return this.stopping !== undefined;
  }

  /** Starts the tracker, then the nodes in parallel; on any failure stops what started and throws. */
  async start(): Promise<void> {
    if (this.tracker) throw new CairnError('DEVNET_STARTED', 'this devnet was started already');
    const o = this.options;
    const apps = await loadApps(o.apps);
    this.appIds = apps.map((a) => a.id).sort();
    await this.makeDir();
    process.on('exit', this.onProcessExit);
    try {
      this.genesisFile = path.join(this.dir, 'genesis.json');
      const genesis = writeDevnetGenesis(
        this.genesisFile,
        devnetGenesis({ apps: this.appIds, blockTime: o.blockTime, appParams: o.appParams }),
      );
      this.chainId = genesis.chainId;
      this.tracker = this.spawn('tracker', undefined, trackerStartArgs(o, path.join(this.dir, 'tracker.log')));
      this.trackerAddress = String((await this.tracker.started(o.startTimeoutMs)).address);
      for (const wave of startWaves(o)) await this.startWave(wave);
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** The API client of node `index`, with the token from its api.cookie. */
  client(index: number, options?: ApiClientOptions): ApiClient {
    const node = this.nodes[index];
    if (!node) throw new CairnError('DEVNET_NO_NODE', `the devnet has no node ${index} (it has ${this.nodes.length})`);
    return new ApiClient(node.apiUrl, this.tokens.get(index), options);
  }

  /** Every node's status, asked in parallel; a node that does not answer gives its error. */
  statuses(timeoutMs = 3000): Promise<NodeStatusResult[]> {
    return Promise.all(
      this.nodes.map(async ({ index, child }): Promise<NodeStatusResult> => {
        if (!child.running) return { index, error: { code: 'NODE_EXITED', message: `exited: ${child.failure()}` } };
        try {
          return { index, status: await this.client(index, { timeoutMs }).status() };
        } catch (err) {
          const e = err as Partial<CairnError>;
          return { index, error: { code: e.code ?? 'INTERNAL', message: e.message ?? String(err) } };
        }
      }),
    );
  }

  /** Resolves once every running node has completed the handshake with every other node. */
  async waitUntilConnected(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const want = this.nodes.length - 1;
    for (;;) {
      const results = await this.statuses();
      if (results.every((r) => r.status === undefined || r.status.peers >= want) && results.some((r) => r.status)) return;
      if (Date.now() > deadline) {
        const counts = results.map((r) => `node ${r.index}: ${r.status ? `${r.status.peers} peers` : r.error?.code}`).join(', ');
        throw new CairnError('DEVNET_NOT_CONNECTED', `the devnet nodes did not all connect within ${timeoutMs / 1000} s (${counts})`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Stops every child (nodes first, so they leave the tracker cleanly) and removes a temp dir. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  /** Kills every child at once (a second Ctrl-C, or the process exiting); synchronous. */
  killNow(): void {
    for (const child of this.children()) child.kill();
    if (this.ownsDir && this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  private async stopAll(): Promise<void> {
    const grace = this.options.graceMs;
    await Promise.all(
      this.children()
        .filter((c) => c !== this.tracker)
        .map((c) => c.stop(grace)),
    );
    await this.tracker?.stop(grace);
    if (this.ownsDir && this.dir) await rm(this.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    process.off('exit', this.onProcessExit);
  }

  /** Every child spawned, started or not: a failed start must stop them too. */
  private children(): CairnChild[] {
    return [...this.spawned];
  }

  private async makeDir(): Promise<void> {
    if (this.options.dir === undefined) {
      this.dir = await mkdtemp(path.join(tmpdir(), 'cairn-devnet-'));
      this.ownsDir = true;
    } else {
      this.dir = path.resolve(this.options.dir);
      mkdirSync(this.dir, { recursive: true });
    }
  }

  /** Starts these nodes in parallel; throws the first failure once all have settled. */
  private async startWave(wave: number[]): Promise<void> {
    const results = await Promise.allSettled(wave.map((index) => this.startNode(index)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    this.nodes.push(...results.map((r) => (r as PromiseFulfilledResult<DevnetNode>).value));
  }

  private async startNode(index: number): Promise<DevnetNode> {
    const o = this.options;
    const dataDir = path.join(this.dir, `node-${index}`);
    mkdirSync(dataDir, { recursive: true });
    const malicious = isMalicious(o, index);
    const args = nodeStartArgs(o, index, {
      dataDir,
      genesisFile: this.genesisFile,
      trackerAddress: this.trackerAddress,
      nodes: this.nodes,
    });
    const child = this.spawn(`node ${index}`, index, args, path.join(dataDir, 'node.log'));
    child.on('line', (event) => this.emit('node-event', { index, event }));
    const started = await child.started(o.startTimeoutMs);
    const apiUrl = typeof started.api === 'string' ? started.api : '';
    const address = typeof started.address === 'string' ? started.address : '';
    if (!apiUrl || !address) throw new CairnError('DEVNET_START_FAILED', `node ${index} started without an API URL or a transport address`);
    this.tokens.set(index, readFileSync(path.join(dataDir, COOKIE_FILE), 'utf8').trim());
    return { index, dataDir, apiUrl, address, process: child.process, malicious, child };
  }

  private spawn(name: string, index: number | undefined, args: string[], logFile = path.join(this.dir, `${name}.log`)): CairnChild {
    // A stop during start must not be followed by children that nobody stops.
    if (this.stopping) throw new CairnError('DEVNET_STOPPED', 'the devnet was stopped while it started');
    const child = new CairnChild({ name, args, logFile, env: this.options.env });
    this.spawned.push(child);
    child.on('exit', (exit) => {
      if (this.stopping) return;
      this.emit('exit', { name, ...(index === undefined ? {} : { index }), ...exit, reason: child.failure() });
    });
    return child;
  }
}
