import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.js';

/** Structured logs go to stderr, so a command's stdout stays for people or for `--json`. */
export function createLogger(level: LogLevel, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { ...bindings } }, pino.destination({ fd: 2, sync: true }));
}
