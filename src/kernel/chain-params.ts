import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import type { NodeConfig } from './config.js';
import { jsonFlaw } from './canonicalizable.js';
import { MAX_JSON_DEPTH, parseUntrustedJson, UntrustedJsonError } from './untrusted-json.js';
import { ConfigError } from './errors.js';
import { fsReason } from './fs-reason.js';
import { describeSchemaError, dottedPath } from './schema-errors.js';
import { HASH_SCHEMA } from './schemas.js';
import { chainIdOf, DEFAULT_GENESIS_TIME, genesisBlock, targetForSeconds, type ChainParams } from './params.js';

/**
 * ASERT half-life: 144 block times (a day at Bitcoin's 10-minute spacing scaled to ours) is
 * slow enough that one lucky block barely moves the target, fast enough that a devnet settles
 * within minutes when its hash rate differs from the initial guess.
 */
export const HALF_LIFE_BLOCKS = 144;

/** The chain a node joins: from `--genesis FILE`, else derived from the chain flags. */
export function resolveChainParams(config: NodeConfig, appIds: string[]): ChainParams {
  if (config.genesis) return readGenesisFile(config.genesis).params;
  return paramsFromFlags({ difficulty: config.difficulty, blockTime: config.blockTime, initialTarget: config.initialTarget, apps: appIds });
}

export interface ChainFlags {
  difficulty: ChainParams['consensus']['policy'];
  blockTime: number;
  initialTarget?: string;
  apps: string[];
  network?: string;
  timestamp?: number;
  appParams?: Record<string, unknown>;
}

export function paramsFromFlags(flags: ChainFlags): ChainParams {
  const blockTimeMs = Math.round(flags.blockTime * 1000);
  // cs60 starts at the seed's first difficulty, 3 hex zeros; the other policies at a target a
  // single core meets in about one block time.
  const initialTarget = flags.initialTarget ?? (flags.difficulty === 'cs60' ? '000' + 'f'.repeat(61) : targetForSeconds(flags.blockTime));
  return {
    network: flags.network ?? 'cairn',
    apps: [...new Set(flags.apps)].sort(),
    consensus: { policy: flags.difficulty, blockTimeMs, initialTarget, halfLifeMs: blockTimeMs * HALF_LIFE_BLOCKS },
    timestamp: flags.timestamp ?? DEFAULT_GENESIS_TIME,
    appParams: flags.appParams ?? {},
  };
}

export interface GenesisFile {
  params: ChainParams;
  chainId: string;
  genesis: ReturnType<typeof genesisBlock>['header'];
}

const paramsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['network', 'apps', 'consensus', 'timestamp', 'appParams'],
  properties: {
    network: { type: 'string', minLength: 1, maxLength: 64 },
    apps: { type: 'array', maxItems: 64, items: { type: 'string', minLength: 1, maxLength: 214 } },
    consensus: {
      type: 'object',
      additionalProperties: false,
      required: ['policy', 'blockTimeMs', 'initialTarget', 'halfLifeMs'],
      properties: {
        policy: { enum: ['asert', 'cs60', 'fixed'] },
        blockTimeMs: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
        initialTarget: HASH_SCHEMA,
        halfLifeMs: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
      },
    },
    // Bounded so the genesis header's u64 time field can hold it.
    timestamp: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    appParams: { type: 'object' },
  },
} as const;

const fileSchema = {
  type: 'object',
  required: ['params', 'chainId'],
  properties: { params: paramsSchema, chainId: HASH_SCHEMA, genesis: { type: 'object' } },
} as const;

const validateFile = new Ajv({ strict: false }).compile(fileSchema);

export function genesisFileFor(params: ChainParams): GenesisFile {
  return { params, chainId: chainIdOf(params), genesis: genesisBlock(params).header };
}

export function readGenesisFile(path: string): GenesisFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('GENESIS_UNREADABLE', `cannot read genesis file ${path}: ${fsReason(err)}`);
  }
  let data: unknown;
  try {
    data = parseUntrustedJson(text);
  } catch (err) {
    const why =
      err instanceof UntrustedJsonError && err.code === 'JSON_TOO_DEEP'
        ? `nests deeper than ${MAX_JSON_DEPTH} levels`
        : 'is not valid JSON';
    throw new ConfigError('GENESIS_INVALID', `genesis file ${path} ${why}`);
  }
  if (!validateFile(data)) {
    const e = validateFile.errors![0]!;
    const why = describeSchemaError(e, { data, schema: validateFile.schema, name: (p) => dottedPath(p) || 'the document' });
    throw new ConfigError('GENESIS_INVALID', `genesis file ${path}: ${why}`);
  }
  if (jsonFlaw(data, MAX_JSON_DEPTH)) {
    throw new ConfigError('GENESIS_INVALID', `genesis file ${path} holds a lone UTF-16 surrogate or a number beyond a double`);
  }
  const file = data as unknown as GenesisFile;
  const computed = chainIdOf(file.params);
  if (computed !== file.chainId) {
    throw new ConfigError(
      'GENESIS_MISMATCH',
      `genesis file ${path} says chain ${file.chainId.slice(0, 12)} but its parameters give ${computed.slice(0, 12)}`,
    );
  }
  return file;
}
