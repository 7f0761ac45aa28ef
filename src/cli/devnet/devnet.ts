import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadApps } from '../../apps/registry.js';
import type { LogLevel } from '../../kernel/index.js';
import { CairnError, ConfigError } from '../../kernel/index.js';
import { ApiClient, COOKIE_FILE, type ApiClientOptions, type StatusResponse } from '../../plugins/http-api/index.js';
import { CairnChild, type ChildExit } from './child.js';
import { devnetGenesis, writeDevnetGenesis } from './genesis.js';

export const MAX_DEVNET_NODES = 32;

export interface DevnetOptions {
  /** Node processes. [default: 3] */
  nodes?: number;
  /** Where the node data dirs go; kept at stop. [default: a fresh temp dir, removed at stop] */
  dir?: string;
  /** App specs every node loads. [default: ['voting']] */
  apps?: string[];
  /** Genesis parameters per app id, over the devnet defaults (DEVNET_APP_PARAMS). */
  appParams?: Record<string, unknown>;
  /** Tracker TCP port; 0 picks a free one. [default: 0] */
  trackerPort?: number;
  /** ASERT target seconds between blocks. [default: 1] */
  blockTime?: number;
  /** How many of the last nodes run with `faults`. [default: 0] */
  malicious?: number;
  /** `NAME[=ARG]` values passed as `--fault` to the malicious nodes' `node start`. */
  faults?: string[];
  /** `NAME[=ARG]` values passed as `--fault` to every node, which stays honest (link faults on every link). */
  faultsAll?: string[];
  /** Seed of the faults' random choices (`--fault-seed`; node i gets SEED+i), so a run replays. */
  faultSeed?: number;
  /** Extra arguments of every `node start`. */
  nodeArgs?: string[];
  logLevel?: LogLevel;
  /** How long a child may take to print its `started` line. [default: 60 s] */
  startTimeoutMs?: number;
  /** How long a child may take to stop after SIGTERM before it is killed. [default: 10 s] */
  graceMs?: number;
  env?: NodeJS.ProcessEnv;
}

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
  readonly options: Readonly<Required<Omit<DevnetOptions, 'dir' | 'env' | 'appParams' | 'faultSeed'>>> &
    Pick<DevnetOptions, 'dir' | 'env' | 'appParams' | 'faultSeed'>;
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
    this.options = {
      nodes: options.nodes ?? 3,
      apps: options.apps ?? ['voting'],
      trackerPort: options.trackerPort ?? 0,
      blockTime: options.blockTime ?? 1,
      malicious: options.malicious ?? 0,
      faults: options.faults ?? [],
      faultsAll: options.faultsAll ?? [],
      nodeArgs: options.nodeArgs ?? [],
      logLevel: options.logLevel ?? 'warn',
      startTimeoutMs: options.startTimeoutMs ?? 60_000,
      graceMs: options.graceMs ?? 10_000,
      dir: options.dir,
      env: options.env,
      appParams: options.appParams,
      faultSeed: options.faultSeed,
    };
    validate(this.options);
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
    if (o.dir === undefined) {
      this.dir = await mkdtemp(path.join(tmpdir(), 'cairn-devnet-'));
      this.ownsDir = true;
    } else {
      this.dir = path.resolve(o.dir);
      mkdirSync(this.dir, { recursive: true });
    }
    process.on('exit', this.onProcessExit);
    try {
      this.genesisFile = path.join(this.dir, 'genesis.json');
      const genesis = writeDevnetGenesis(
        this.genesisFile,
        devnetGenesis({ apps: this.appIds, blockTime: o.blockTime, appParams: o.appParams }),
      );
      this.chainId = genesis.chainId;

      this.tracker = this.spawn('tracker', undefined, [
        'tracker',
        'start',
        '--host',
        '127.0.0.1',
        '--port',
        String(o.trackerPort),
        '--log-level',
        o.logLevel,
      ]);
      this.trackerAddress = String((await this.tracker.started(o.startTimeoutMs)).address);

      // A fault that names other nodes (partition=node0,node1) needs their addresses: honest nodes start first then.
      const all = Array.from({ length: o.nodes }, (_, index) => index);
      const honest = o.nodes - o.malicious;
      const waves = o.faults.some((f) => NODE_NAME.test(faultArg(f))) ? [all.slice(0, honest), all.slice(honest)] : [all];
      for (const wave of waves) {
        const results = await Promise.allSettled(wave.map((index) => this.startNode(index)));
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
        this.nodes.push(...results.map((r) => (r as PromiseFulfilledResult<DevnetNode>).value));
      }
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

  private async startNode(index: number): Promise<DevnetNode> {
    const o = this.options;
    const dataDir = path.join(this.dir, `node-${index}`);
    mkdirSync(dataDir, { recursive: true });
    const malicious = index >= o.nodes - o.malicious;
    const args = [
      'node',
      'start',
      '--data-dir',
      dataDir,
      '--genesis',
      this.genesisFile,
      ...o.apps.flatMap((spec) => ['--app', spec]),
      '--transport',
      'udp',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--api-port',
      '0',
      '--tracker',
      this.trackerAddress,
      '--mine',
      'on-demand',
      '--log-level',
      o.logLevel,
      ...o.nodeArgs,
      ...o.faultsAll.flatMap((f) => ['--fault', f]),
      ...(malicious ? o.faults.flatMap((f) => ['--fault', this.withAddresses(f)]) : []),
      ...((malicious || o.faultsAll.length > 0) && o.faultSeed !== undefined ? ['--fault-seed', String(o.faultSeed + index)] : []),
    ];
    const child = this.spawn(`node ${index}`, index, args, path.join(dataDir, 'node.log'));
    child.on('line', (event) => this.emit('node-event', { index, event }));
    const started = await child.started(o.startTimeoutMs);
    const apiUrl = typeof started.api === 'string' ? started.api : '';
    const address = typeof started.address === 'string' ? started.address : '';
    if (!apiUrl || !address) throw new CairnError('DEVNET_START_FAILED', `node ${index} started without an API URL or a transport address`);
    this.tokens.set(index, readFileSync(path.join(dataDir, COOKIE_FILE), 'utf8').trim());
    return { index, dataDir, apiUrl, address, process: child.process, malicious, child };
  }

  /** `partition=node0,node1` with the nodes' transport addresses in place of their names. */
  private withAddresses(fault: string): string {
    const eq = fault.indexOf('=');
    if (eq < 0) return fault;
    const arg = fault.slice(eq + 1).replace(new RegExp(NODE_NAME.source, 'g'), (_, i: string) => this.nodes[Number(i)]!.address);
    return `${fault.slice(0, eq + 1)}${arg}`;
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

/** `node3` in a fault's argument: that node's transport address. */
const NODE_NAME = /\bnode(\d+)\b/;

function faultArg(fault: string): string {
  const eq = fault.indexOf('=');
  return eq < 0 ? '' : fault.slice(eq + 1);
}

function validate(o: Devnet['options']): void {
  const whole = (value: number, min: number, max: number, flag: string) => {
    if (!Number.isSafeInteger(value) || value < min || value > max)
      throw new ConfigError('CONFIG_INVALID', `${flag} must be a whole number from ${min} to ${max}, not ${value}`);
  };
  whole(o.nodes, 1, MAX_DEVNET_NODES, '--nodes');
  whole(o.trackerPort, 0, 65535, '--tracker-port');
  whole(o.malicious, 0, o.nodes, '--malicious');
  if (!(o.blockTime > 0 && o.blockTime <= 3600))
    throw new ConfigError('CONFIG_INVALID', `--block-time must be from 0 to 3600 seconds, not ${o.blockTime}`);
  if (o.malicious > 0 && o.faults.length === 0)
    throw new ConfigError('CONFIG_INVALID', '--malicious needs at least one --fault NAME[=ARG] to give those nodes');
  if (o.faults.length > 0 && o.malicious === 0)
    throw new ConfigError('CONFIG_INVALID', '--fault needs --malicious N: how many of the last nodes misbehave');
  for (const fault of o.faults)
    for (const [, i] of faultArg(fault).matchAll(new RegExp(NODE_NAME.source, 'g')))
      if (Number(i) >= o.nodes - o.malicious)
        throw new ConfigError(
          'CONFIG_INVALID',
          `--fault ${fault}: node${i} is not an honest node (the honest ones are node0 to node${o.nodes - o.malicious - 1})`,
        );
  for (const fault of o.faultsAll)
    if (NODE_NAME.test(faultArg(fault)))
      throw new ConfigError('CONFIG_INVALID', `--fault-all ${fault}: a fault of every node can't name nodes; use --malicious N --fault`);
}
