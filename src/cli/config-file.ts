import { Ajv } from 'ajv';
import type { FromSchema } from 'json-schema-to-ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  compileGuard,
  ConfigError,
  describePattern,
  describeSchemaError,
  dottedPath,
  fsReason,
  parseUntrustedJson,
} from '../kernel/index.js';
import { closest, isPlausible } from './closest.js';

/**
 * `$CAIRN_HOME/config.json` (or `--config FILE`): the flags people repeat. A value applies to
 * every command that has the flag, unless the flag is typed or set by its environment variable.
 */
const NODE_URL = '^https?://\\S+$';
describePattern(NODE_URL, 'an http:// or https:// URL, like http://127.0.0.1:8080');

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** `node start --tracker`. */
    tracker: { type: 'string', pattern: '^[^\\s:]+:[0-9]{1,5}$' },
    /** `node start --api-port`. */
    apiPort: { type: 'integer', minimum: 0, maximum: 65535 },
    /** `--keystore`; a relative path is relative to the config file. */
    keystore: { type: 'string', minLength: 1, maxLength: 4096 },
    /** `--data-dir`; a relative path is relative to the config file. */
    dataDir: { type: 'string', minLength: 1, maxLength: 4096 },
    /** `--log-level`. */
    logLevel: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    /** `--node`: the API URL client commands talk to. */
    node: { type: 'string', pattern: NODE_URL, maxLength: 2048 },
  },
} as const;

export type CliConfig = FromSchema<typeof schema>;

/** Each config key and the flag it stands for. */
export const CONFIG_FLAGS: Readonly<Record<keyof CliConfig, string>> = {
  tracker: 'tracker',
  apiPort: 'api-port',
  keystore: 'keystore',
  dataDir: 'data-dir',
  logLevel: 'log-level',
  node: 'node',
};

const PATH_KEYS: ReadonlyArray<keyof CliConfig> = ['keystore', 'dataDir'];
const KEYS = Object.keys(CONFIG_FLAGS);
/** A config file is a handful of settings: anything larger is not one. */
const MAX_BYTES = 64 * 1024;

const validate = compileGuard(new Ajv({ allErrors: false, strict: true }), schema);

/**
 * The config of `file`, paths resolved against its directory. A missing file is no config when
 * it is the default one (`required` false) and an error when the user named it.
 */
export function loadCliConfig(file: string, required: boolean): CliConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return {};
    if (code === 'ENOENT') throw new ConfigError('CONFIG_NOT_FOUND', `there is no config file ${file}`);
    throw new ConfigError('CONFIG_UNREADABLE', `cannot read the config file ${file}: ${fsReason(err)}`);
  }
  if (Buffer.byteLength(text) > MAX_BYTES)
    throw new ConfigError('CONFIG_INVALID', `the config file ${file} is larger than ${MAX_BYTES / 1024} KiB: it is not a cairn config`);
  let data: unknown;
  try {
    data = parseUntrustedJson(text, 4);
  } catch (err) {
    throw new ConfigError('CONFIG_INVALID', `the config file ${file} is not valid JSON: ${jsonFault(text, err as Error)}`);
  }
  if (!validate(data)) {
    const error = validate.errors![0]!;
    const sentence = describeSchemaError(error, {
      data,
      schema,
      name: (p) => (p.length === 0 ? 'the config' : `'${dottedPath(p)}'`),
      unknown: unknownKey(error.params as { additionalProperty?: string }),
    });
    throw new ConfigError('CONFIG_INVALID', `in the config file ${file}: ${sentence}`);
  }
  const config: CliConfig = { ...data };
  for (const key of PATH_KEYS) {
    const value = config[key];
    if (typeof value === 'string') (config as Record<string, string>)[key] = path.resolve(path.dirname(file), value);
  }
  return config;
}

function unknownKey(params: { additionalProperty?: string }): string {
  const typed = params.additionalProperty ?? '';
  const guess = closest(typed, KEYS);
  const hint = guess && isPlausible(typed, guess) ? `; did you mean '${guess.value}'?` : '';
  return `is not a config key (the keys are ${KEYS.join(', ')})${hint}`;
}

/** JSON.parse says where the text goes wrong; the bounded parser says why it refused. */
function jsonFault(text: string, refused: Error): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  return refused.message;
}
