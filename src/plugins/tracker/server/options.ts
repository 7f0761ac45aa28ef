import type { Logger } from 'pino';
import { badPort } from '../../../kernel/index.js';
import { TrackerError } from '../errors.js';
import { DEFAULT_TRACKER_PORT, DEFAULT_TTL_MS, MAX_NETWORK_PEERS } from '../messages.js';
import type { ProbeSender } from '../prober.js';
import type { ProbeSchedule } from '../reachability.js';
import type { MembershipChange } from './state.js';

export interface TrackerServerOptions {
  host?: string;
  port?: number;
  /** A connection that sends nothing for this long is dropped and its peer evicted. */
  ttlMs?: number;
  maxConnections?: number;
  /** Inbound frames: client messages are tiny, so the bound is far below the 1 MiB list frames. */
  maxFrameBytes?: number;
  /** A client whose unsent output exceeds this is not reading; it is dropped, not waited for. */
  maxBufferedBytes?: number;
  /**
   * Lists of one network are pushed at most this often. Changes in a burst (300 joins) are
   * coalesced into a few pushes, and a client flapping its registration cannot make the
   * tracker flood every member.
   */
  minPushIntervalMs?: number;
  maxPeersPerNetwork?: number;
  /**
   * Sends reachability probes (see `TransportProber`). Without one no registration is ever
   * verified: every member is listed unreachable.
   */
  probe?: ProbeSender;
  /** Retries of a probe nobody echoes (default: 6 probes, 250 ms doubling to 4 s). */
  probeSchedule?: Partial<ProbeSchedule>;
  logger?: Logger;
  /** Told of every join, leave, eviction and verification (for `cairn tracker start`'s output); must not throw. */
  onMembership?: (change: MembershipChange) => void;
}

/** The numeric and address options, defaults filled in. */
export type ServerLimits = Required<Omit<TrackerServerOptions, 'logger' | 'onMembership' | 'probe' | 'probeSchedule'>>;

/** Fills in the defaults and refuses options the tracker cannot run with. */
export function resolveLimits(options: TrackerServerOptions): ServerLimits {
  const limits: ServerLimits = {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? DEFAULT_TRACKER_PORT,
    ttlMs: options.ttlMs ?? DEFAULT_TTL_MS,
    maxConnections: options.maxConnections ?? 1024,
    maxFrameBytes: options.maxFrameBytes ?? 4096,
    maxBufferedBytes: options.maxBufferedBytes ?? 4 * 1024 * 1024,
    minPushIntervalMs: options.minPushIntervalMs ?? 50,
    maxPeersPerNetwork: Math.min(options.maxPeersPerNetwork ?? MAX_NETWORK_PEERS, MAX_NETWORK_PEERS),
  };
  const { ttlMs, maxConnections, port } = limits;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TrackerError('TRACKER_BAD_OPTION', badPort('port', port));
  if (!(ttlMs >= 30)) throw new TrackerError('TRACKER_BAD_OPTION', `ttlMs ${ttlMs} is too short: heartbeats come every third of it`);
  if (!(maxConnections >= 1)) throw new TrackerError('TRACKER_BAD_OPTION', `maxConnections must be at least 1`);
  return limits;
}
