import { Ajv, type ErrorObject } from 'ajv';
import { ConfigError } from './errors.js';
import type { DifficultyPolicy } from './params.js';
import { HASH_SCHEMA } from './schemas.js';

export type MineMode = 'on-demand' | 'always' | 'off';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface NodeConfig {
  dataDir: string;
  /** Chain apps to load: built-in names, paths or package names. */
  apps: string[];
  difficulty: DifficultyPolicy;
  /** Target seconds between blocks (ASERT); also sizes the initial target. */
  blockTime: number;
  /** Overrides the genesis target (64 hex chars); tests use an easy one. */
  initialTarget?: string;
  /** A genesis file written by `cairn chain init`; overrides the chain flags. */
  genesis?: string;
  mine: MineMode;
  miners: number;
  /** Pause before each block is sealed (ms): the original's 5-second demonstration delay. */
  miningDelay: number;
  logLevel: LogLevel;
  maxBlockTxs: number;
  /** Most transactions the mempool holds. */
  mempoolLimit: number;
  /** Most bytes of transactions (as JSON) the mempool holds. */
  mempoolBytes: number;
  /** How often a node whose store refused a write (a full disk) tries a write again (ms). */
  storeProbeMs: number;
  /** Address the transport binds; port 0 picks a free one. */
  host: string;
  port: number;
  /** `none` runs a solo node: no peers, no gossip. */
  transport: 'udp' | 'tcp' | 'none';
  /** Peers to contact besides those the tracker gives (HOST:PORT). */
  peers: string[];
  /** Tracker HOST:PORT; none means static peers and peer exchange only. */
  tracker?: string;
  /** Port of the HTTP API on 127.0.0.1; 0 picks a free one; absent disables it. */
  apiPort?: number;
  /** How long a misbehaving peer is kept away (ms). */
  banMs: number;
}

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['dataDir'],
  properties: {
    dataDir: { type: 'string', minLength: 1 },
    apps: { type: 'array', items: { type: 'string', minLength: 1 }, default: [] },
    difficulty: { enum: ['asert', 'cs60', 'fixed'], default: 'asert' },
    blockTime: { type: 'number', exclusiveMinimum: 0, maximum: 86_400, default: 10 },
    initialTarget: HASH_SCHEMA,
    genesis: { type: 'string', minLength: 1 },
    mine: { enum: ['on-demand', 'always', 'off'], default: 'on-demand' },
    miners: { type: 'integer', minimum: 1, maximum: 64, default: 1 },
    miningDelay: { type: 'integer', minimum: 0, maximum: 3_600_000, default: 0 },
    logLevel: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
    maxBlockTxs: { type: 'integer', minimum: 1, maximum: 100_000, default: 5_000 },
    mempoolLimit: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 50_000 },
    mempoolBytes: { type: 'integer', minimum: 16 * 1024, maximum: 16 * 1024 ** 3, default: 64 * 1024 * 1024 },
    storeProbeMs: { type: 'integer', minimum: 10, maximum: 600_000, default: 2000 },
    host: { type: 'string', minLength: 1, maxLength: 255, default: '127.0.0.1' },
    port: { type: 'integer', minimum: 0, maximum: 65535, default: 0 },
    transport: { enum: ['udp', 'tcp', 'none'], default: 'udp' },
    peers: { type: 'array', maxItems: 256, items: { type: 'string', pattern: '^[^\\s:]+:[0-9]{1,5}$' }, default: [] },
    tracker: { type: 'string', pattern: '^[^\\s:]+:[0-9]{1,5}$' },
    apiPort: { type: 'integer', minimum: 0, maximum: 65535 },
    banMs: { type: 'integer', minimum: 0, maximum: 86_400_000, default: 600_000 },
  },
} as const;

const ajv = new Ajv({ useDefaults: true, allErrors: false, strict: true });
const validate = ajv.compile(schema);

/** `maxBlockTxs` → `--max-block-txs`: errors name the flag the user typed. */
export function flagName(field: string): string {
  return `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

export function describeAjvError(error: ErrorObject, describeField: (field: string) => string = flagName): string {
  const field =
    error.instancePath.split('/').filter(Boolean)[0] ??
    (error.params as { additionalProperty?: string; missingProperty?: string }).additionalProperty;
  const missing = (error.params as { missingProperty?: string }).missingProperty;
  if (error.keyword === 'required' && missing) return `${describeField(missing)} is required`;
  if (error.keyword === 'additionalProperties') return `${describeField(String(field))} is not a known setting`;
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.join(', ');
    return `${describeField(String(field))} must be one of: ${allowed}`;
  }
  return `${describeField(String(field))} ${error.message ?? 'is invalid'}`;
}

/** Validates and fills defaults. A bad value is one ConfigError sentence naming the flag. */
export function parseNodeConfig(input: Record<string, unknown>, describeField?: (field: string) => string): NodeConfig {
  const copy = structuredClone(input);
  for (const key of Object.keys(copy)) if (copy[key] === undefined) delete copy[key];
  if (!validate(copy)) {
    const first = validate.errors![0]!;
    throw new ConfigError('CONFIG_INVALID', describeAjvError(first, describeField), { field: first.instancePath });
  }
  return copy as unknown as NodeConfig;
}
