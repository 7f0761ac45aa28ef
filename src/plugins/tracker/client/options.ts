import type { Logger } from 'pino';
import { HASH_RE, type PeerAddress } from '../../../kernel/index.js';
import { TrackerError } from '../errors.js';
import { DEFAULT_TTL_MS, type TransportKind } from '../messages.js';

export interface TrackerClientOptions {
  /** The network to join: the chain id (genesis hash, 64 hex chars). */
  chainId: string;
  /** The node's own transport address, read at `start()` (the transport may bind port 0). */
  localAddress: PeerAddress | (() => PeerAddress);
  /** The kind of that transport: the tracker probes the port over it (default udp). */
  transport?: TransportKind;
  /** Probes are echoed only this long after registering (default 30 s)... */
  probeWindowMs?: number;
  /** ...and at most this many per registration (default 8), so forged probes cannot make us spam the tracker. */
  maxEchoes?: number;
  /** Where the tracker listens; without one, only static and exchanged peers are known. */
  tracker?: PeerAddress;
  /** Peers given by hand (`--peer HOST:PORT`), always part of `peers()`. */
  peers?: readonly PeerAddress[];
  /** The tracker's TTL as this client assumes it until the tracker says otherwise. */
  ttlMs?: number;
  /** Reconnect delays double from `initialMs` up to `maxMs`, with jitter. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Peers learned by peer exchange are kept up to this many, oldest dropped first. */
  maxExchangePeers?: number;
  maxFrameBytes?: number;
  /** Randomness for jitter; tests pass a seeded one. */
  random?: () => number;
  logger?: Logger;
}

export interface TrackerClientStatus {
  connected: boolean;
  /** A peer list was received on the current connection. */
  registered: boolean;
  /** The address the tracker lists this node under (its view: behind a NAT, the public one). */
  listedAs: PeerAddress | undefined;
  /** The tracker verified that address receives. */
  reachable: boolean;
  /** Reachable members of the tracker's last list (these are in `peers()`). */
  trackerPeers: number;
  /** Members the tracker could not verify; left out of `peers()` so nobody is greeted on the say-so of a registration. */
  trackerUnreachable: number;
  /** Probes echoed to the tracker, and probes not echoed (wrong source, nothing pending, over the bound). */
  echoes: number;
  probesIgnored: number;
  /** Why the tracker connection was last dropped by this side, as a code (e.g. MESSAGE_TOO_DEEP). */
  lastDrop: string | undefined;
  staticPeers: number;
  exchangePeers: number;
  /** Connection attempts since the last successful registration. */
  attempts: number;
}

/** Refuses a chain id or TTL the client cannot work with; returns the TTL. */
export function checkClientOptions(options: TrackerClientOptions): number {
  if (!HASH_RE.test(options.chainId))
    throw new TrackerError('TRACKER_BAD_OPTION', `chain id '${options.chainId}' is not 64 lowercase hex characters`);
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  if (!(ttlMs >= 30)) throw new TrackerError('TRACKER_BAD_OPTION', `ttlMs ${ttlMs} is too short: heartbeats come every third of it`);
  return ttlMs;
}
