import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { genesisFileFor, paramsFromFlags, readGenesisFile } from '../../src/kernel/chain-params.js';
import { parseNodeConfig, type NodeConfig } from '../../src/kernel/config.js';
import { ConfigError } from '../../src/kernel/errors.js';
import type { ChainParams } from '../../src/kernel/params.js';
import { tempDir } from '../support/chain-fixture.js';
import { check } from '../support/property.js';
import {
  byteMutations,
  edgyValue,
  hex64,
  jsonBytes,
  jsonMutations,
  jsonObject,
  mutateBytes,
  mutateJson,
  mutateNumber,
  numberMutation,
} from './arbitraries.js';

const dir = tempDir('cairn-prop-');
afterAll(() => dir.remove());

const SETTINGS = [
  'dataDir',
  'apps',
  'difficulty',
  'blockTime',
  'initialTarget',
  'genesis',
  'mine',
  'miners',
  'miningDelay',
  'logLevel',
  'maxBlockTxs',
  'mempoolLimit',
  'mempoolBytes',
  'storeProbeMs',
  'host',
  'port',
  'transport',
  'peers',
  'tracker',
  'apiPort',
  'banMs',
] as const;

const hostPort = fc.tuple(fc.stringMatching(/^[^\s:]{1,20}$/), fc.integer({ min: 0, max: 99999 })).map(([h, p]) => `${h}:${p}`);

/** A config a user could write: every setting optional except the data directory, each within its documented range. */
const validConfig = fc.record(
  {
    dataDir: fc.string({ minLength: 1, maxLength: 40 }),
    apps: fc.array(fc.string({ minLength: 1, maxLength: 20 }), { maxLength: 3 }),
    difficulty: fc.constantFrom('asert', 'cs60', 'fixed'),
    blockTime: fc.double({ min: 0.001, max: 86_400, noNaN: true }),
    initialTarget: hex64,
    genesis: fc.string({ minLength: 1, maxLength: 40 }),
    mine: fc.constantFrom('on-demand', 'always', 'off'),
    miners: fc.integer({ min: 1, max: 64 }),
    miningDelay: fc.integer({ min: 0, max: 3_600_000 }),
    logLevel: fc.constantFrom('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
    maxBlockTxs: fc.integer({ min: 1, max: 100_000 }),
    mempoolLimit: fc.integer({ min: 1, max: 1_000_000 }),
    mempoolBytes: fc.integer({ min: 16 * 1024, max: 16 * 1024 ** 3 }),
    storeProbeMs: fc.integer({ min: 10, max: 600_000 }),
    host: fc.string({ minLength: 1, maxLength: 255 }),
    port: fc.integer({ min: 0, max: 65535 }),
    transport: fc.constantFrom('udp', 'tcp', 'none'),
    peers: fc.array(hostPort, { maxLength: 4 }),
    tracker: hostPort,
    apiPort: fc.integer({ min: 0, max: 65535 }),
    banMs: fc.integer({ min: 0, max: 86_400_000 }),
  },
  { requiredKeys: ['dataDir'] },
);

function parsesOrRefuses(input: Record<string, unknown>): NodeConfig | ConfigError {
  try {
    return parseNodeConfig(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('CONFIG_INVALID');
    // One sentence naming the flag, never a dump of the input.
    expect((err as ConfigError).message).toMatch(/^--[a-z-]+ |^--.* is /);
    return err as ConfigError;
  }
}

describe('node configuration (parseNodeConfig)', () => {
  it('a valid config keeps every value given and fills the rest; parsing again changes nothing', () => {
    check(
      fc.property(validConfig, (input) => {
        const config = parseNodeConfig(input);
        expect(config).toMatchObject(input);
        expect(parseNodeConfig({ ...config })).toEqual(config);
      }),
      1000,
    );
  });

  it('any object of settings, known or not, with any values, parses or is one ConfigError', () => {
    const anySettings = fc.dictionary(fc.oneof(fc.constantFrom(...SETTINGS), fc.string({ maxLength: 12 })), edgyValue, { maxKeys: 6 });
    const nearlyValid = fc.tuple(validConfig, jsonMutations).map(([c, m]) => mutateJson(c, m));
    check(
      fc.property(fc.oneof(anySettings, nearlyValid, jsonObject()), (input) => {
        if (input !== null && typeof input === 'object' && !Array.isArray(input)) parsesOrRefuses(input as Record<string, unknown>);
      }),
      1500,
    );
  });
});

const params: fc.Arbitrary<ChainParams> = fc
  .record({
    difficulty: fc.constantFrom('asert' as const, 'cs60' as const, 'fixed' as const),
    blockTime: fc.integer({ min: 1, max: 86_400 }),
    initialTarget: fc.option(hex64, { nil: undefined }),
    apps: fc.array(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), { maxLength: 3 }),
    network: fc.string({ minLength: 1, maxLength: 64 }),
    timestamp: fc.maxSafeNat(),
    appParams: jsonObject(),
  })
  .map((flags) => paramsFromFlags(flags));

let fileCount = 0;
function writeText(text: string | Uint8Array): string {
  const path = join(dir.path, `genesis-${fileCount++ % 16}.json`);
  writeFileSync(path, text);
  return path;
}

function readsOrRefuses(path: string): void {
  try {
    readGenesisFile(path);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect(['GENESIS_INVALID', 'GENESIS_MISMATCH']).toContain((err as ConfigError).code);
  }
}

describe('genesis files (readGenesisFile)', () => {
  it('a genesis file written for any parameters reads back equal', () => {
    check(
      fc.property(params, (p) => {
        const file = genesisFileFor(p);
        expect(readGenesisFile(writeText(JSON.stringify(file, null, 2)))).toEqual(JSON.parse(JSON.stringify(file)));
      }),
      500,
    );
  });

  it.each([
    ['a timestamp past 2^53', '"timestamp":0', '"timestamp":1e20'],
    ['a block time of 1e999', '"blockTimeMs":10000', '"blockTimeMs":1e999'],
    ['a lone surrogate in the network name', '"network":"cairn"', '"network":"\\udc00"'],
  ])('a genesis file with %s is GENESIS_INVALID, not a RangeError from hashing it', (_, from, to) => {
    const text = JSON.stringify(genesisFileFor(paramsFromFlags({ difficulty: 'asert', blockTime: 10, apps: [], timestamp: 0 })));
    expect(text).toContain(from);
    expect(() => readGenesisFile(writeText(text.replace(from, to)))).toThrow(expect.objectContaining({ code: 'GENESIS_INVALID' }));
  });

  it('arbitrary bytes, and genesis files with fields, numbers or bytes mutated, read or are one ConfigError', () => {
    const file = params.map((p) => genesisFileFor(p));
    const text = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.tuple(file, jsonMutations).map(([f, m]) => jsonBytes(mutateJson(f, m))),
      fc.tuple(file, numberMutation).map(([f, n]) => mutateNumber(JSON.stringify(f), n)),
      fc.tuple(file, byteMutations).map(([f, m]) => mutateBytes(Buffer.from(JSON.stringify(f)), m)),
    );
    check(
      fc.property(text, (t) => readsOrRefuses(writeText(t))),
      1500,
    );
  });
});
