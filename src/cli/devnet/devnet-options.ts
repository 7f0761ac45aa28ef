import type { LogLevel } from '../../kernel/index.js';
import { badPort, ConfigError } from '../../kernel/index.js';

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

/** The options with their defaults filled in. */
export type ResolvedDevnetOptions = Readonly<Required<Omit<DevnetOptions, 'dir' | 'env' | 'appParams' | 'faultSeed'>>> &
  Pick<DevnetOptions, 'dir' | 'env' | 'appParams' | 'faultSeed'>;

/** Fills in the defaults and checks the options against each other; throws a ConfigError naming the flag. */
export function resolveDevnetOptions(options: DevnetOptions): ResolvedDevnetOptions {
  const resolved = {
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
  validate(resolved);
  return resolved;
}

/** `node3` in a fault's argument: that node's transport address. */
export const NODE_NAME = /\bnode(\d+)\b/;

export function faultArg(fault: string): string {
  const eq = fault.indexOf('=');
  return eq < 0 ? '' : fault.slice(eq + 1);
}

function validate(o: ResolvedDevnetOptions): void {
  const whole = (value: number, min: number, max: number, flag: string) => {
    if (!Number.isSafeInteger(value) || value < min || value > max)
      throw new ConfigError('CONFIG_INVALID', `${flag} must be a whole number from ${min} to ${max}, not ${value}`);
  };
  whole(o.nodes, 1, MAX_DEVNET_NODES, '--nodes');
  if (!Number.isSafeInteger(o.trackerPort) || o.trackerPort < 0 || o.trackerPort > 65535)
    throw new ConfigError('CONFIG_INVALID', badPort('--tracker-port', o.trackerPort));
  whole(o.malicious, 0, o.nodes, '--malicious');
  if (!(o.blockTime > 0 && o.blockTime <= 3600))
    throw new ConfigError('CONFIG_INVALID', `--block-time must be more than 0 and at most 3600 seconds, not ${o.blockTime}`);
  if (o.malicious > 0 && o.faults.length === 0)
    throw new ConfigError('CONFIG_INVALID', '--malicious needs at least one --fault NAME[=ARG] to give those nodes');
  if (o.faults.length > 0 && o.malicious === 0)
    throw new ConfigError('CONFIG_INVALID', '--fault needs --malicious N: how many of the last nodes misbehave');
  validateFaultNames(o);
}

/** A malicious node's fault may name honest nodes only; a fault of every node names none. */
function validateFaultNames(o: ResolvedDevnetOptions): void {
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
