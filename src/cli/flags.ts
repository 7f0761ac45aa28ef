import { Flags } from '@oclif/core';
import { ConfigError, Keystore } from '../kernel/index.js';
import { defaultKeystoreDir, LOG_LEVELS } from './base-command.js';
import type { DifficultyPolicy } from '../kernel/index.js';

const POLICIES = ['asert', 'cs60', 'fixed'] as const satisfies readonly DifficultyPolicy[];

/** A decimal number; the range is checked with the rest of the config, where the flag is named. */
export const numberFlag = Flags.custom<number>({
  async parse(input, _context, options) {
    const value = Number(input);
    if (input.trim() === '' || !Number.isFinite(value))
      throw new ConfigError('CONFIG_INVALID', `--${options.name} expects a number, not '${input}'`);
    return value;
  },
});

export const integerFlag = Flags.custom<number>({
  async parse(input, _context, options) {
    const value = Number(input);
    if (!/^-?\d+$/.test(input.trim()) || !Number.isSafeInteger(value)) {
      throw new ConfigError('CONFIG_INVALID', `--${options.name} expects a whole number, not '${input}'`);
    }
    return value;
  },
});

/**
 * The flags that decide which chain a node is on. Nodes given equal values derive the same
 * genesis block, hence the same chain id. No defaults here: the node assembly must know which
 * ones the user actually typed.
 */
export const chainFlags = {
  app: Flags.string({
    summary: 'Chain app to load: a built-in name, a module path or a package name. Repeatable.',
    multiple: true,
    multipleNonGreedy: true,
    helpGroup: 'CHAIN',
  }),
  difficulty: Flags.option({ summary: 'Difficulty policy. [default: asert]', options: POLICIES, helpGroup: 'CHAIN' })(),
  'block-time': numberFlag({ summary: 'Target seconds between blocks; also sizes the initial target. [default: 10]', helpGroup: 'CHAIN' }),
  'initial-target': Flags.string({ summary: 'Target of the genesis block, 64 hex digits (a lower target is harder).', helpGroup: 'CHAIN' }),
};

/** Chain flags plus `--genesis`, for commands that open a data dir. */
export const chainSelectionFlags = {
  genesis: Flags.string({
    summary: 'Genesis file written by `cairn chain init`; overrides the other chain flags.',
    helpGroup: 'CHAIN',
    exclusive: ['difficulty', 'block-time', 'initial-target'],
  }),
  ...chainFlags,
};

export interface ChainFlagValues {
  app?: string[];
  difficulty?: DifficultyPolicy;
  'block-time'?: number;
  'initial-target'?: string;
  genesis?: string;
}

/** How a node reaches its peers. */
export const networkFlags = {
  transport: Flags.option({
    summary: 'Transport to peers; none runs a solo node. [default: udp]',
    options: ['udp', 'tcp', 'none'] as const,
    helpGroup: 'NETWORK',
  })(),
  host: Flags.string({ summary: 'Address the transport binds. [default: 127.0.0.1]', helpGroup: 'NETWORK' }),
  port: integerFlag({ summary: 'Port the transport binds; 0 picks a free one. [default: 0]', helpGroup: 'NETWORK' }),
  peer: Flags.string({
    summary: 'A peer to contact, HOST:PORT. Repeatable.',
    multiple: true,
    multipleNonGreedy: true,
    helpGroup: 'NETWORK',
  }),
  tracker: Flags.string({ summary: 'Tracker that tells this node about its peers, HOST:PORT.', helpGroup: 'NETWORK' }),
  'api-port': integerFlag({
    summary: 'Serve the HTTP API on 127.0.0.1 at this port (0 picks one); its URL and token are written to the data dir.',
    helpGroup: 'NETWORK',
  }),
  'ban-ms': integerFlag({ summary: 'How long a misbehaving peer is kept away, in ms. [default: 600000]', helpGroup: 'NETWORK' }),
};

/** Which running node a client command talks to: `--node URL`, else the node of `--data-dir`. */
export const nodeApiFlags = {
  node: Flags.string({
    summary: 'API URL of the node, e.g. http://127.0.0.1:8080. [default: the node running on --data-dir]',
    helpGroup: 'NODE',
  }),
  token: Flags.string({
    summary: "API token for write routes. [default: the data dir's api.cookie]",
    env: 'CAIRN_API_TOKEN',
    helpGroup: 'NODE',
  }),
};

/** Misbehaviour on purpose (the faults plugin); `cairn faults list` names every fault. */
export const faultFlags = {
  fault: Flags.string({
    summary: 'Make this node misbehave: NAME or NAME=ARG from `cairn faults list`. Repeatable.',
    multiple: true,
    multipleNonGreedy: true,
    helpGroup: 'FAULTS',
  }),
  'fault-seed': integerFlag({
    summary: 'Seed of every random choice the faults make, so a run replays. [default: random, logged]',
    helpGroup: 'FAULTS',
  }),
};

/**
 * Where a long-running command keeps its structured log, apart from stderr: `defaultFile`
 * says what the default is in `--help`.
 */
export function logFileFlags(defaultFile: string) {
  return {
    'log-file': Flags.string({
      summary: `File the structured log is appended to (rotated to FILE.1 past 32 MiB); none or - writes no file. [default: ${defaultFile}]`,
      helpGroup: 'LOG',
    }),
    'log-file-level': Flags.option({
      summary: 'Level of the log file. [default: info, or --log-level when more verbose]',
      options: LOG_LEVELS,
      helpGroup: 'LOG',
    })(),
  };
}

/** The keystore of `--keystore` (a base flag of every command). */
export function keystoreOf(flags: { keystore?: string }): Keystore {
  return new Keystore(flags.keystore ?? defaultKeystoreDir());
}
