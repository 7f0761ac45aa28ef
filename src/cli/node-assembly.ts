import 'reflect-metadata';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { loadApps, loadChainApps } from '../apps/registry.js';
import {
  CairnNode,
  ConfigError,
  createLogger,
  flagName,
  genesisFileFor,
  parseNodeConfig,
  resolveChainParams,
  type ChainApp,
  type ChainParams,
  type LogLevel,
  type MineMode,
  type NodeConfig,
  StoreError,
} from '../kernel/index.js';
import { builtinPlugins } from '../plugins/registry.js';
import { holdsStore, storeInUse, storeLocked } from '../plugins/store-level/index.js';
import type { ChainFlagValues } from './flags.js';

export interface NodeFlagValues extends ChainFlagValues {
  'data-dir': string;
  'log-level': LogLevel;
  mine?: MineMode;
  miners?: number;
  'mining-delay'?: number;
  'mempool-limit'?: number;
  'mempool-bytes'?: number;
  transport?: NodeConfig['transport'];
  host?: string;
  port?: number;
  peer?: string[];
  tracker?: string;
  'api-port'?: number;
  'ban-ms'?: number;
  fault?: string[];
  'fault-seed'?: number;
}

/** Config fields whose flag is not simply their kebab-case name. */
const FLAG_OF_FIELD: Record<string, string> = { apps: '--app', peers: '--peer' };

/** Names the flag a person typed for a config field, so a config error points at it. */
export function describeFlag(field: string): string {
  return FLAG_OF_FIELD[field] ?? flagName(field);
}

export function configFromFlags(flags: NodeFlagValues, overrides: Partial<NodeConfig> = {}): NodeConfig {
  return parseNodeConfig(
    {
      dataDir: path.resolve(flags['data-dir']),
      apps: flags.app ?? [],
      difficulty: flags.difficulty,
      blockTime: flags['block-time'],
      initialTarget: flags['initial-target'],
      genesis: flags.genesis === undefined ? undefined : path.resolve(flags.genesis),
      mine: flags.mine,
      miners: flags.miners,
      miningDelay: flags['mining-delay'],
      mempoolLimit: flags['mempool-limit'],
      mempoolBytes: flags['mempool-bytes'],
      logLevel: flags['log-level'],
      transport: flags.transport,
      host: flags.host,
      port: flags.port,
      peers: flags.peer,
      tracker: flags.tracker,
      apiPort: flags['api-port'],
      banMs: flags['ban-ms'],
      ...overrides,
    },
    describeFlag,
  );
}

/**
 * The data dir remembers the parameters of its chain here, so that `chain show`, `chain verify`
 * and a restart of `node start` find the same chain without the chain flags typed again.
 */
export const REMEMBERED_GENESIS = 'genesis.json';

export function rememberedGenesisPath(dataDir: string): string {
  return path.join(dataDir, REMEMBERED_GENESIS);
}

/**
 * Which chain: `--genesis FILE`; else the chain flags, when any was typed; else the genesis the
 * data dir remembers; else the defaults (equal for everyone, so equal chain ids).
 */
export function chooseChainParams(config: NodeConfig, flags: ChainFlagValues, appIds: string[]): ChainParams {
  const typed = flags.difficulty !== undefined || flags['block-time'] !== undefined || flags['initial-target'] !== undefined;
  const remembered = rememberedGenesisPath(config.dataDir);
  if (config.genesis === undefined && !typed && existsSync(remembered))
    return resolveChainParams({ ...config, genesis: remembered }, appIds);
  return resolveChainParams(config, appIds);
}

/** The loaded apps must be exactly the chain's: a missing app could not validate its transactions. */
export function checkApps(params: ChainParams, apps: readonly ChainApp[]): void {
  const loaded = apps.map((a) => a.id).sort();
  const wanted = [...params.apps].sort();
  if (loaded.join(',') !== wanted.join(',')) {
    const list = (ids: string[]) => (ids.length > 0 ? ids.join(', ') : 'none');
    throw new ConfigError('APPS_MISMATCH', `the chain runs apps [${list(wanted)}] but --app loads [${list(loaded)}]`);
  }
}

/**
 * The chain and the apps to run it with: `--app` when given (and then it must match the chain);
 * else the apps the chain's genesis names, so that a data dir remembers its apps as it
 * remembers its chain. Chain flags without `--app` describe a chain without apps.
 */
export async function chooseAppsAndParams(config: NodeConfig, flags: ChainFlagValues): Promise<{ apps: ChainApp[]; params: ChainParams }> {
  if (flags.app === undefined) {
    const params = chooseChainParams(config, flags, []);
    return { apps: await loadChainApps(params.apps), params };
  }
  const apps = await loadApps(config.apps);
  const params = chooseChainParams(
    config,
    flags,
    apps.map((a) => a.id),
  );
  checkApps(params, apps);
  return { apps, params };
}

/** A running node holds the store: say so first, whatever else about the flags would be refused. */
export async function refuseLockedStore(dataDir: string): Promise<void> {
  const location = path.join(dataDir, 'chain');
  if (await storeInUse(location)) throw storeLocked(location);
}

/** Writes the data dir's genesis file once, atomically; an existing one is left alone. */
export function rememberGenesis(dataDir: string, params: ChainParams): void {
  const file = rememberedGenesisPath(dataDir);
  if (existsSync(file)) return;
  mkdirSync(dataDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(genesisFileFor(params), null, 2) + '\n');
  renameSync(tmp, file);
}

export interface AssembledNode {
  node: CairnNode;
  config: NodeConfig;
  params: ChainParams;
  apps: ChainApp[];
  logger: Logger;
}

/**
 * Flags to a node ready to start: validated config, apps, chain parameters, and its plugins:
 * LevelDB store under the data dir, proof-of-work consensus, and unless `--transport none` a
 * transport with tracker/static-peer discovery; the HTTP API when `--api-port` is given.
 */
export async function assembleNode(
  flags: NodeFlagValues,
  overrides: Partial<NodeConfig> = {},
  /** The node's logger, made once the data dir is known to be free (a node's log file is in it); stderr only by default. */
  loggerFor: (config: NodeConfig) => Logger = (config) => createLogger(config.logLevel),
): Promise<AssembledNode> {
  const config = configFromFlags(flags, overrides);
  await refuseLockedStore(config.dataDir);
  const { apps, params } = await chooseAppsAndParams(config, flags);
  const registry = builtinPlugins();
  const plugins = [registry.create('store-level'), registry.create('consensus-pow')];
  if (config.transport !== 'none') {
    plugins.push(
      registry.create(`transport-${config.transport}`, { host: config.host, port: config.port }),
      registry.create('tracker', { tracker: config.tracker, peers: config.peers }),
    );
  }
  if (config.apiPort !== undefined) plugins.push(registry.create('http-api', { port: config.apiPort }));
  if (flags.fault?.length) plugins.push(registry.create('faults', { faults: flags.fault, seed: flags['fault-seed'] }));
  const logger = loggerFor(config);
  const node = CairnNode.create({ config, params, plugins, apps, logger });
  return { node, config, params, apps, logger };
}

/** Starts the node and remembers its chain in the data dir; stops it again if starting fails. */
export async function startNode(assembled: AssembledNode): Promise<void> {
  try {
    await assembled.node.start();
  } catch (err) {
    await assembled.node.stop();
    throw err;
  }
  rememberGenesis(assembled.config.dataDir, assembled.params);
}

/**
 * A node for a read-only command (`chain show`, `chain verify`) on the data dir's chain: no
 * transport, no API, no mining, and nothing written. A data dir without a chain is refused
 * before anything is opened, so that a mistyped path is said, not made.
 */
export async function openChainReader(flags: NodeFlagValues): Promise<AssembledNode> {
  const assembled = await assembleNode(flags, { mine: 'off', transport: 'none', apiPort: undefined });
  const { dataDir } = assembled.config;
  if (!(await holdsStore(path.join(dataDir, 'chain'))))
    throw new StoreError('NO_CHAIN', `there is no chain in ${dataDir}: start a node on it first (cairn node start --data-dir ${dataDir})`, {
      dataDir,
    });
  try {
    await assembled.node.start();
  } catch (err) {
    await assembled.node.stop();
    throw err;
  }
  return assembled;
}

/** Difficulty of a target as bits of work: log2(2^256 / (target + 1)). */
export function difficultyBits(target: string): number {
  const t = BigInt('0x' + target) + 1n;
  const length = t.toString(2).length;
  const shift = Math.max(0, length - 53);
  return 256 - (Math.log2(Number(t >> BigInt(shift))) + shift);
}

export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}
