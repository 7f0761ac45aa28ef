// Before anything that loads tsyringe: `oclif manifest` imports commands without bin/run.js.
import 'reflect-metadata';
import { Command, Flags, Errors, toConfiguredId, type Interfaces } from '@oclif/core';
import os from 'node:os';
import path from 'node:path';
import { CairnError, ConfigError } from '../kernel/index.js';
import type { LogLevel } from '../kernel/index.js';
import { closest, isPlausible } from './closest.js';
import { CONFIG_FLAGS, loadCliConfig, type CliConfig } from './config-file.js';

/** oclif's FlagOutput and ArgOutput, which it does not export. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Values = { [name: string]: any };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const satisfies readonly LogLevel[];

export function defaultDataDir(): string {
  return process.env.CAIRN_HOME || path.join(os.homedir(), '.cairn');
}

export function defaultConfigFile(): string {
  return path.join(defaultDataDir(), 'config.json');
}

/**
 * One keystore per user, shared by every data dir, so a voter is the same key whichever node
 * they use: a node dir holds a node, not its users.
 */
export function defaultKeystoreDir(): string {
  return path.join(defaultDataDir(), 'keys');
}

/**
 * oclif wraps a flag's parse error as "Parsing --flag \n\t<reason>\nSee more help with --help";
 * a person gets the reason on one line, with the flag named once.
 */
export function oneLine(message: string): string {
  const wrapped = /^Parsing (--\S+)\s*\n\t([\s\S]*)$/.exec(message);
  let text = message;
  if (wrapped) {
    const [, flag, reason] = wrapped;
    text = reason!.includes(flag!) ? reason! : `${flag}: ${reason}`;
  }
  return text
    .replace(/^The following errors? occurred:\s*/, '')
    .replace(/\s*See more help with --help\s*$/, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

export interface ErrorJson {
  error: { code: string; message: string };
}

/** The `{ error: { code, message } }` a script sees with `--json`. */
export function errorJson(err: unknown): ErrorJson {
  if (err instanceof CairnError) return { error: { code: err.code, message: oneLine(err.message) } };
  const message = oneLine(err instanceof Error ? err.message : String(err));
  if (err instanceof Errors.CLIError) return { error: { code: 'USAGE', message } };
  return { error: { code: 'INTERNAL', message } };
}

/**
 * What every cairn command shares: `--json`, `--data-dir`, `--keystore`, `--config`,
 * `--log-level`, and an error path that prints one human line (or one JSON object) and exits
 * 1, never a stack trace.
 */
export abstract class CairnCommand extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    config: Flags.string({
      summary: 'Config file of the flags you repeat (tracker, apiPort, keystore, dataDir, logLevel, node).',
      env: 'CAIRN_CONFIG',
      helpGroup: 'GLOBAL',
      defaultHelp: async () => '$CAIRN_HOME/config.json or ~/.cairn/config.json, if there',
    }),
    'data-dir': Flags.string({
      summary: 'Directory of the node: its chain store, genesis file and log.',
      env: 'CAIRN_HOME',
      helpGroup: 'GLOBAL',
      default: async () => defaultDataDir(),
      // The manifest must not record this machine's home directory.
      defaultHelp: async () => '$CAIRN_HOME or ~/.cairn',
    }),
    keystore: Flags.string({
      summary: 'Directory of your keys, shared by every data dir.',
      env: 'CAIRN_KEYSTORE',
      helpGroup: 'GLOBAL',
      default: async () => defaultKeystoreDir(),
      defaultHelp: async () => '$CAIRN_HOME/keys or ~/.cairn/keys',
    }),
    'log-level': Flags.option({
      summary: 'Level of the structured logs written to stderr.',
      options: LOG_LEVELS,
      default: 'warn' as LogLevel,
      helpGroup: 'GLOBAL',
    })(),
  };

  /**
   * Parses as oclif does, then fills each flag the user neither typed nor set through its
   * environment variable from the config file: typed > environment > config > default.
   */
  protected override async parse<F extends Values, B extends Values, A extends Values>(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const parsed = await super.parse(options, argv);
    const flags = parsed.flags as Record<string, unknown>;
    const named = typeof flags.config === 'string' ? flags.config : undefined;
    if (named !== undefined && named.trim() === '')
      throw new ConfigError('CONFIG_NOT_FOUND', '--config names no file: give the path of a config file');
    const config = loadCliConfig(path.resolve(named ?? defaultConfigFile()), named !== undefined);
    const known = { ...options?.baseFlags, ...options?.flags } as Record<string, { env?: string } | undefined>;
    for (const [key, flag] of Object.entries(CONFIG_FLAGS) as Array<[keyof CliConfig, string]>) {
      const value = config[key];
      const definition = known[flag];
      if (value === undefined || !definition) continue;
      const fromUser = parsed.raw.some((t) => t.type === 'flag' && t.flag === flag);
      // CAIRN_HOME is where the config file lives, not a choice of data dir: the file's dataDir wins over it.
      const fromEnv = flag !== 'data-dir' && definition.env !== undefined && process.env[definition.env] !== undefined;
      if (!fromUser && !fromEnv) flags[flag] = value;
    }
    return parsed;
  }

  /** `cairn node start`: the command as a person types it, never oclif's `node:start`. */
  protected get typedCommand(): string {
    return `${this.config.bin} ${toConfiguredId(this.id ?? '', this.config)}`;
  }

  /**
   * oclif's parse errors for a word it did not expect, reworded to name the command and, for a
   * mistyped flag, the flag meant. oclif exports neither error class, hence the duck typing.
   */
  private explainUnexpected(caught: Error): Error {
    if (!(caught instanceof Errors.CLIError)) return caught;
    const err = caught as Errors.CLIError & { flags?: unknown; args?: unknown };
    if (err.message.startsWith('Nonexistent flag') && Array.isArray(err.flags)) {
      const known = Object.entries({ ...this.ctor.baseFlags, ...this.ctor.flags }).map(([name]) => `--${name}`);
      if (this.ctor.enableJsonFlag) known.push('--json');
      const sentences = (err.flags as string[]).map((typed) => {
        const name = typed.split('=')[0]!;
        const guess = closest(name, known);
        const hint = guess && isPlausible(name, guess) ? `; did you mean ${guess.value}?` : '.';
        return `\`${this.typedCommand}\` has no flag ${name}${hint}`;
      });
      return new Errors.CLIError(`${sentences.join(' ')} \`${this.typedCommand} --help\` lists its flags.`);
    }
    if (err.message.startsWith('Unexpected argument') && Array.isArray(err.args)) {
      const wanted = Object.keys(this.ctor.args ?? {}).length;
      const takes = wanted === 0 ? 'takes no arguments' : `takes ${wanted} argument${wanted === 1 ? '' : 's'}`;
      const extra = (err.args as unknown[]).map(String).join(' ');
      return new Errors.CLIError(
        `\`${this.typedCommand}\` ${takes}, so \`${extra}\` is unexpected; \`${this.typedCommand} --help\` shows its usage.`,
      );
    }
    return err;
  }

  protected override async catch(caught: Error & { exitCode?: number }): Promise<unknown> {
    // `this.exit()` throws an ExitError: it is a request, not a failure.
    if (caught instanceof Errors.ExitError) throw caught;
    const err = this.explainUnexpected(caught);
    if (this.jsonEnabled()) {
      // One line, not oclif's pretty print: a parent (the devnet) reads its children line by line.
      process.stdout.write(`${JSON.stringify(errorJson(err))}\n`);
    } else {
      const known = err instanceof CairnError || err instanceof Errors.CLIError;
      const sentence = oneLine(err.message ?? String(err));
      // A usage mistake oclif found carries the code --json gives it, like every other error.
      const text =
        err instanceof CairnError ? `${sentence} (${err.code})` : known ? `${sentence} (USAGE)` : `unexpected error: ${sentence}`;
      process.stderr.write(`Error: ${text}\n`);
      // A bug should still be findable: CAIRN_DEBUG=1 adds its stack.
      if (!known && process.env.CAIRN_DEBUG) process.stderr.write(`${err.stack ?? ''}\n`);
    }
    process.exitCode = 1;
    // Exit through oclif so that no other handler prints the error again.
    return this.exit(1);
  }
}
