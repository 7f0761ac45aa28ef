import { badPort, ConfigError } from '../../kernel/index.js';
import { DEFAULT_TRACKER_PORT, DEFAULT_TTL_MS, isValidHost } from '../../plugins/tracker/index.js';

export interface TrackerFlagValues {
  host: string;
  port?: number;
  'ttl-ms'?: number;
}

export interface TrackerOptions {
  host: string;
  port: number;
  ttlMs: number;
}

/** The tracker's address and eviction time from its flags, with the defaults; throws a ConfigError naming the flag. */
export function trackerOptionsFromFlags(flags: TrackerFlagValues): TrackerOptions {
  const host = flags.host.trim();
  const port = flags.port ?? DEFAULT_TRACKER_PORT;
  const ttlMs = flags['ttl-ms'] ?? DEFAULT_TTL_MS;
  if (!isValidHost(host)) throw new ConfigError('CONFIG_INVALID', `--host '${flags.host}' is not an IP address or host name`);
  if (port < 0 || port > 65535) throw new ConfigError('CONFIG_INVALID', badPort('--port', port));
  if (ttlMs < 30 || ttlMs > 3_600_000) throw new ConfigError('CONFIG_INVALID', `--ttl-ms must be between 30 and 3600000, not ${ttlMs}`);
  return { host, port, ttlMs };
}
