import { connect, type Socket } from 'node:net';
import { pino, type Logger } from 'pino';
import type { Discovery, PeerAddress } from '../../kernel/services.js';
import { TrackerError } from './errors.js';
import { FrameDecoder, MAX_FRAME_BYTES } from './framing.js';
import {
  addressKey,
  decodeMessage,
  DEFAULT_TTL_MS,
  encodeMessage,
  isReachableHost,
  isUnspecifiedHost,
  isValidPort,
  MAX_HOST_LENGTH,
  normalizeHost,
  TRACKER_PROTOCOL_VERSION,
  type ClientMessage,
  type ServerMessage,
} from './messages.js';

export interface TrackerClientOptions {
  /** The network to join: the chain id (genesis hash, 64 hex chars). */
  chainId: string;
  /** The node's own transport address, read at `start()` (the transport may bind port 0). */
  localAddress: PeerAddress | (() => PeerAddress);
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
  trackerPeers: number;
  staticPeers: number;
  exchangePeers: number;
  /** Connection attempts since the last successful registration. */
  attempts: number;
}

const CHAIN_ID = /^[0-9a-f]{64}$/;

/**
 * Discovery through a tracker, with static peers and peer exchange on the side. The tracker
 * is a convenience, not a single point of failure: while it is away the last list it sent
 * stays in `peers()`, the client keeps reconnecting with capped, jittered backoff, and
 * registers again as soon as it is back.
 */
export class TrackerClient implements Discovery {
  private readonly log: Logger;
  private readonly ttlMs: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxExchangePeers: number;
  private readonly random: () => number;
  private readonly staticPeers: PeerAddress[];
  private trackerPeers: PeerAddress[] = [];
  private readonly exchangePeers = new Map<string, PeerAddress>();
  private readonly selfKeys = new Set<string>();
  private readonly handlers: Array<(peers: PeerAddress[]) => void> = [];
  private lastSignature = '';

  private self: PeerAddress | undefined;
  private socket: Socket | undefined;
  private connected = false;
  private registered = false;
  private attempts = 0;
  private heartbeatMs: number;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private state: 'new' | 'running' | 'stopped' = 'new';
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: TrackerClientOptions) {
    if (!CHAIN_ID.test(options.chainId))
      throw new TrackerError('TRACKER_BAD_OPTION', `chain id '${options.chainId}' is not 64 lowercase hex characters`);
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    if (!(this.ttlMs >= 30))
      throw new TrackerError('TRACKER_BAD_OPTION', `ttlMs ${this.ttlMs} is too short: heartbeats come every third of it`);
    this.heartbeatMs = Math.floor(this.ttlMs / 3);
    this.initialBackoffMs = options.backoff?.initialMs ?? 100;
    this.maxBackoffMs = options.backoff?.maxMs ?? 5000;
    this.maxExchangePeers = options.maxExchangePeers ?? 1000;
    this.random = options.random ?? Math.random;
    this.log = options.logger ?? pino({ level: 'silent' });
    this.staticPeers = dedupe(options.peers ?? []);
  }

  start(): void {
    if (this.state !== 'new') return;
    this.state = 'running';
    const local = typeof this.options.localAddress === 'function' ? this.options.localAddress() : this.options.localAddress;
    this.self = { host: normalizeHost(local.host), port: local.port };
    this.selfKeys.add(addressKey(this.self));
    this.emitIfChanged();
    if (this.options.tracker) this.connect();
  }

  /** Says goodbye to the tracker (so others learn at once) and closes. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /** Static peers, then the tracker's last list, then exchanged peers; never this node itself. */
  peers(): PeerAddress[] {
    const seen = new Set<string>(this.selfKeys);
    const out: PeerAddress[] = [];
    for (const list of [this.staticPeers, this.trackerPeers, this.exchangePeers.values()]) {
      for (const peer of list) {
        const key = addressKey(peer);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ ...peer });
      }
    }
    return out;
  }

  onChange(handler: (peers: PeerAddress[]) => void): void {
    this.handlers.push(handler);
  }

  /**
   * Peers learned from other nodes (peer exchange). The input is untrusted: only the first
   * `maxExchangePeers` entries are looked at, and only well-formed reachable addresses kept.
   * Returns how many were not known before.
   */
  addPeers(list: readonly unknown[]): number {
    if (!Array.isArray(list) || this.state === 'stopped') return 0;
    const known = new Set(this.peers().map(addressKey));
    let added = 0;
    for (const entry of list.slice(0, this.maxExchangePeers)) {
      const peer = toPeerAddress(entry);
      if (!peer) continue;
      const key = addressKey(peer);
      if (this.selfKeys.has(key)) continue;
      // Re-inserting moves a peer to the young end, so the oldest are the ones dropped.
      this.exchangePeers.delete(key);
      this.exchangePeers.set(key, peer);
      if (!known.has(key)) {
        known.add(key);
        added++;
      }
    }
    for (const key of this.exchangePeers.keys()) {
      if (this.exchangePeers.size <= this.maxExchangePeers) break;
      this.exchangePeers.delete(key);
    }
    if (added > 0) this.emitIfChanged();
    return added;
  }

  status(): TrackerClientStatus {
    return {
      connected: this.connected,
      registered: this.registered,
      trackerPeers: this.trackerPeers.length,
      staticPeers: this.staticPeers.length,
      exchangePeers: this.exchangePeers.size,
      attempts: this.attempts,
    };
  }

  private connect(): void {
    const tracker = this.options.tracker!;
    this.attempts++;
    const socket = connect({ host: tracker.host, port: tracker.port, noDelay: true });
    const decoder = new FrameDecoder(this.options.maxFrameBytes ?? MAX_FRAME_BYTES);
    this.socket = socket;
    // A tracker host that swallows SYNs would otherwise hold the attempt for minutes.
    socket.setTimeout(this.ttlMs, () => socket.destroy());
    socket.once('connect', () => {
      socket.setTimeout(0);
      this.connected = true;
      // Registered without a host, the tracker lists us under the address it sees.
      if (socket.localAddress) this.selfKeys.add(addressKey({ host: socket.localAddress, port: this.self!.port }));
      const host = isUnspecifiedHost(this.self!.host) ? undefined : this.self!.host;
      this.send({
        type: 'register',
        version: TRACKER_PROTOCOL_VERSION,
        chainId: this.options.chainId,
        ...(host ? { host } : {}),
        port: this.self!.port,
      });
      this.scheduleHeartbeat();
      this.armSilenceTimer();
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return;
      const { frames, error } = decoder.push(chunk);
      for (const frame of frames) {
        if (this.socket !== socket || socket.destroyed) return;
        this.handle(socket, frame);
      }
      if (error && !socket.destroyed) this.drop(socket, `tracker sent a bad frame: ${error.message}`);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => this.log.debug({ err: err.code ?? err.message }, 'tracker connection error'));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.connected) this.log.info('tracker connection closed; keeping the last known peers');
      this.connected = false;
      this.registered = false;
      this.clearTimers();
      this.scheduleReconnect();
    });
  }

  private handle(socket: Socket, frame: Buffer): void {
    const decoded = decodeMessage(frame);
    if (!decoded.ok) {
      this.drop(socket, `tracker sent a bad message: ${decoded.reason}`);
      return;
    }
    this.armSilenceTimer();
    const message = decoded.message as ServerMessage | ClientMessage;
    switch (message.type) {
      case 'heartbeat':
        return;
      case 'peers': {
        if (message.chainId !== this.options.chainId) {
          this.drop(socket, 'tracker sent the peer list of another network');
          return;
        }
        if (!this.registered) this.log.info({ peers: message.peers.length }, 'registered with tracker');
        this.registered = true;
        this.attempts = 0;
        if (message.heartbeatMs !== undefined) {
          const wanted = Math.min(Math.floor(this.ttlMs / 3), message.heartbeatMs);
          if (wanted !== this.heartbeatMs) {
            this.heartbeatMs = wanted;
            this.scheduleHeartbeat();
          }
        }
        this.trackerPeers = dedupe(
          message.peers.filter((p) => isReachableHost(p.host)).map((p) => ({ host: normalizeHost(p.host), port: p.port })),
        );
        this.emitIfChanged();
        return;
      }
      case 'error':
        // The tracker closes after an error; the close handler reconnects with backoff.
        this.log.warn({ code: message.code }, `tracker refused: ${message.message}`);
        return;
      default:
        this.drop(socket, `tracker sent a '${message.type}' message, which only clients send`);
    }
  }

  private drop(socket: Socket, reason: string): void {
    this.log.warn(reason);
    socket.destroy();
  }

  private send(message: ClientMessage): void {
    const socket = this.socket;
    if (!socket || !this.connected || socket.destroyed) return;
    socket.write(encodeMessage(message));
  }

  private clearTimers(): void {
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.silenceTimer);
    this.heartbeatTimer = undefined;
    this.silenceTimer = undefined;
  }

  private scheduleHeartbeat(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => this.send({ type: 'heartbeat' }), this.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  /** The tracker answers every heartbeat; a whole TTL of silence means it is gone, even if TCP has not noticed. */
  private armSilenceTimer(): void {
    if (this.silenceTimer) {
      this.silenceTimer.refresh();
      return;
    }
    this.silenceTimer = setTimeout(() => {
      this.silenceTimer = undefined;
      if (this.socket) this.drop(this.socket, `tracker silent for ${this.ttlMs} ms; reconnecting`);
    }, this.ttlMs);
    this.silenceTimer.unref();
  }

  private scheduleReconnect(): void {
    if (this.state !== 'running') return;
    const ceiling = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** Math.min(this.attempts, 30));
    // Half fixed, half random: a restarted tracker is not hit by every client in the same millisecond.
    const delay = Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
    this.log.debug({ delay, attempts: this.attempts }, 'reconnecting to tracker');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.state === 'running') this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  private emitIfChanged(): void {
    const peers = this.peers();
    const signature = peers.map(addressKey).join(',');
    if (signature === this.lastSignature) return;
    this.lastSignature = signature;
    for (const handler of this.handlers) {
      try {
        handler(peers.map((p) => ({ ...p })));
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'discovery change handler failed');
      }
    }
  }

  private async shutdown(): Promise<void> {
    this.state = 'stopped';
    this.clearTimers();
    clearTimeout(this.reconnectTimer);
    const socket = this.socket;
    if (!socket) return;
    const connected = this.connected;
    if (connected) this.send({ type: 'leave' });
    this.socket = undefined;
    this.connected = false;
    this.registered = false;
    if (!connected) {
      socket.destroy();
      return;
    }
    await new Promise<void>((resolve) => {
      if (socket.destroyed) return resolve();
      // The tracker closes its side on our FIN; one that does not is not waited for long.
      const timer = setTimeout(() => socket.destroy(), 250);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
  }
}

function toPeerAddress(entry: unknown): PeerAddress | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { host, port } = entry as { host?: unknown; port?: unknown };
  if (typeof host !== 'string' || host.length > MAX_HOST_LENGTH || !isValidPort(port)) return undefined;
  const normalized = normalizeHost(host);
  return isReachableHost(normalized) ? { host: normalized, port } : undefined;
}

function dedupe(list: readonly PeerAddress[]): PeerAddress[] {
  const seen = new Map<string, PeerAddress>();
  for (const peer of list) if (!seen.has(addressKey(peer))) seen.set(addressKey(peer), { host: peer.host, port: peer.port });
  return [...seen.values()];
}
