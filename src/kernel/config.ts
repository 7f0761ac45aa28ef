import { Ajv } from 'ajv';
import type { FromSchema } from 'json-schema-to-ts';
import { ConfigError } from './errors.js';
import { describeSchemaError } from './schema-errors.js';
import { compileGuard, HASH_SCHEMA } from './schemas.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['dataDir'],
  properties: {
    dataDir: { type: 'string', minLength: 1 },
    /** Chain apps to load: built-in names, paths or package names. */
    apps: { type: 'array', items: { type: 'string', minLength: 1 }, default: [] },
    difficulty: { enum: ['asert', 'cs60', 'fixed'], default: 'asert' },
    /** Target seconds between blocks (ASERT); also sizes the initial target. */
    blockTime: { type: 'number', exclusiveMinimum: 0, maximum: 86_400, default: 10 },
    /** Overrides the genesis target; tests use an easy one. */
    initialTarget: HASH_SCHEMA,
    /** A genesis file written by `cairn chain init`; overrides the chain flags. */
    genesis: { type: 'string', minLength: 1 },
    mine: { enum: ['on-demand', 'always', 'off'], default: 'on-demand' },
    miners: { type: 'integer', minimum: 1, maximum: 64, default: 1 },
    /** Pause before each block is sealed (ms): the original's 5-second demonstration delay. */
    miningDelay: { type: 'integer', minimum: 0, maximum: 3_600_000, default: 0 },
    logLevel: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
    maxBlockTxs: { type: 'integer', minimum: 1, maximum: 100_000, default: 5_000 },
    /** Most transactions the mempool holds. */
    mempoolLimit: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 50_000 },
    /** Most bytes of transactions (as JSON) the mempool holds. */
    mempoolBytes: { type: 'integer', minimum: 16 * 1024, maximum: 16 * 1024 ** 3, default: 64 * 1024 * 1024 },
    /** How often a node whose store refused a write (a full disk) tries a write again (ms). */
    storeProbeMs: { type: 'integer', minimum: 10, maximum: 600_000, default: 2000 },
    /** Address the transport binds; port 0 picks a free one. */
    host: { type: 'string', minLength: 1, maxLength: 255, default: '127.0.0.1' },
    port: { type: 'integer', minimum: 0, maximum: 65535, default: 0 },
    /** `none` runs a solo node: no peers, no gossip. */
    transport: { enum: ['udp', 'tcp', 'none'], default: 'udp' },
    /** Peers to contact besides those the tracker gives (HOST:PORT). */
    peers: { type: 'array', maxItems: 256, items: { type: 'string', pattern: '^[^\\s:]+:[0-9]{1,5}$' }, default: [] },
    /** Tracker HOST:PORT; none means static peers and peer exchange only. */
    tracker: { type: 'string', pattern: '^[^\\s:]+:[0-9]{1,5}$' },
    /** Port of the HTTP API on 127.0.0.1; 0 picks a free one; absent disables it. */
    apiPort: { type: 'integer', minimum: 0, maximum: 65535 },
    /** How long a misbehaving peer is kept away (ms). */
    banMs: { type: 'integer', minimum: 0, maximum: 86_400_000, default: 600_000 },
  },
} as const;

/** Defaulted fields are present: ajv fills them in (`useDefaults`) before the guard says yes. */
export type NodeConfig = FromSchema<typeof schema>;
export type MineMode = NodeConfig['mine'];
export type LogLevel = NodeConfig['logLevel'];

const ajv = new Ajv({ useDefaults: true, allErrors: false, strict: true });
const validate = compileGuard(ajv, schema);

/** `maxBlockTxs` → `--max-block-txs`: errors name the flag the user typed. */
export function flagName(field: string): string {
  return `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Validates and fills defaults. A bad value is one ConfigError sentence naming the flag. */
export function parseNodeConfig(input: Record<string, unknown>, describeField: (field: string) => string = flagName): NodeConfig {
  const copy = structuredClone(input);
  for (const key of Object.keys(copy)) if (copy[key] === undefined) delete copy[key];
  if (!validate(copy)) {
    const first = validate.errors![0]!;
    const message = describeSchemaError(first, {
      name: (path) => describeField(path[0] ?? 'config'),
      data: copy,
      schema,
      unknown: 'is not a known setting',
    });
    throw new ConfigError('CONFIG_INVALID', message, { field: first.instancePath });
  }
  return copy;
}
