import path from 'node:path';
import { pino, type Level, type Logger, type StreamEntry } from 'pino';
import type { LogLevel } from '../kernel/index.js';
import { RotatingLogFile } from './rotating-log.js';

/** What `--log-file` takes to write no file. */
export const NO_LOG_FILE = ['none', '-'] as const;

/** A long-running command's file gets at least this: the events a person looks for later. */
export const DEFAULT_FILE_LEVEL: LogLevel = 'info';

const VERBOSITY: LogLevel[] = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/** The more verbose of two levels. */
export function moreVerbose(a: LogLevel, b: LogLevel): LogLevel {
  return VERBOSITY.indexOf(a) >= VERBOSITY.indexOf(b) ? a : b;
}

export interface LogFileFlagValues {
  'log-level': LogLevel;
  'log-file'?: string;
  'log-file-level'?: LogLevel;
}

export interface CommandLogOptions {
  stderrLevel: LogLevel;
  /** Absolute path, or undefined for no file. */
  file?: string;
  fileLevel: LogLevel;
}

/**
 * The file and its level from `--log-file` and `--log-file-level`: the file is `defaultFile`
 * (none when undefined) unless named, `none` or `-` turns it off; its level is info, or
 * `--log-level` when that is more verbose, unless named.
 */
export function commandLogOptions(flags: LogFileFlagValues, defaultFile: string | undefined): CommandLogOptions {
  const typed = flags['log-file'];
  const file = typed === undefined ? defaultFile : (NO_LOG_FILE as readonly string[]).includes(typed.trim()) ? undefined : typed;
  return {
    stderrLevel: flags['log-level'],
    file: file === undefined ? undefined : path.resolve(file),
    fileLevel: flags['log-file-level'] ?? moreVerbose(DEFAULT_FILE_LEVEL, flags['log-level']),
  };
}

export interface CommandLog {
  logger: Logger;
  file?: RotatingLogFile;
}

/**
 * One pino logger, two destinations through pino's multistream: stderr at `--log-level`
 * (synchronous, as before: a terminal sees a line when it happens) and the appending file at
 * its own level.
 */
export function createCommandLog(options: CommandLogOptions, bindings: Record<string, unknown> = {}): CommandLog {
  const streams: StreamEntry[] = [];
  if (options.stderrLevel !== 'silent')
    streams.push({ level: options.stderrLevel as Level, stream: pino.destination({ fd: 2, sync: true }) });
  const file = options.file !== undefined && options.fileLevel !== 'silent' ? new RotatingLogFile(options.file) : undefined;
  if (file) streams.push({ level: options.fileLevel as Level, stream: file });
  const level = file ? moreVerbose(options.stderrLevel, options.fileLevel) : options.stderrLevel;
  const logger = pino({ level, base: { ...bindings } }, pino.multistream(streams));
  return { logger, file };
}
