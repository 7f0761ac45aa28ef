import { connect, isIP, type Socket } from 'node:net';
import { pino, type Logger } from 'pino';
import { HASH_RE, type Discovery, type PeerAddress } from '../../kernel/index.js';
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
  PROBE_TOKEN,
  TRACKER_PROTOCOL_VERSION,
  type ClientMessage,
  type ServerMessage,
  type TransportKind,
} from './messages.js';

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

/** Connect errors that mean "not from this source address", as opposed to "tracker down". */
const UNROUTABLE = new Set(['EINVAL', 'EADDRNOTAVAIL', 'ENETUNREACH', 'EHOSTUNREACH']);
/** Well inside the tracker's default TTL (15 s), whatever TTL the tracker announces. */
const ADVERTISED_HEARTBEAT_MS = 4000;

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
  private trackerUnreachable = 0;
  private readonly transportKind: TransportKind;
  private readonly probeWindowMs: number;
  private readonly maxEchoes: number;
  /** The tracker's address as this connection reached it: probes from any other host are not the tracker's. */
  private trackerHost: string | undefined;
  /** Set from sending `register` until the tracker says we are reachable, the window ends or the bound is hit. */
  private pendingUntil = 0;
  private echoesThisRegistration = 0;
  private readonly echoedTokens = new Set<string>();
  private listedAs: PeerAddress | undefined;
  private reachable = false;
  private counters = { echoes: 0, probesIgnored: 0 };
  private lastDrop: string | undefined;
  private warnedUnroutable = false;
  private readonly exchangePeers = new Map<string, PeerAddress>();
  private readonly selfKeys = new Set<string>();
  private readonly handlers: Array<(peers: PeerAddress[]) => void> = [];
  private readonly advertised = new Set<() => void>();
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
    if (!HASH_RE.test(options.chainId))
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
    this.transportKind = options.transport ?? 'udp';
    this.probeWindowMs = options.probeWindowMs ?? 30_000;
    this.maxEchoes = options.maxEchoes ?? 8;
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

  /**
   * One tracker connection per port, each registering that port for this chain and kept alive
   * by heartbeats; whatever the tracker pushes on them is read and thrown away. The tracker
   * lists them under this host and never verifies a port nobody answers at, so they are listed
   * unreachable. Without a tracker there is nowhere to register.
   */
  advertise(ports: readonly number[]): () => void {
    const tracker = this.options.tracker;
    if (!tracker || this.state === 'stopped') return () => undefined;
    const sockets = ports.map((port) => {
      const socket = connect({ host: tracker.host, port: tracker.port });
      socket.on('error', () => undefined);
      socket.once('connect', () =>
        socket.write(encodeMessage({ type: 'register', version: TRACKER_PROTOCOL_VERSION, chainId: this.options.chainId, port })),
      );
      // Read, so the tracker never has to buffer for these connections.
      socket.on('data', () => undefined);
      return socket;
    });
    const heartbeat = setInterval(() => {
      for (const s of sockets) if (!s.destroyed) s.write(encodeMessage({ type: 'heartbeat' }));
    }, ADVERTISED_HEARTBEAT_MS);
    heartbeat.unref();
    const withdraw = () => {
      clearInterval(heartbeat);
      for (const s of sockets) s.destroy();
      this.advertised.delete(withdraw);
    };
    this.advertised.add(withdraw);
    return withdraw;
  }

  /**
   * A reachability probe reached our transport. Echoed over the tracker connection only when it
   * can be the tracker's own (from the host we dialled, while our registration is unverified,
   * within the window and the bound); anything else is dropped, so a forged probe costs the
   * tracker at most `maxEchoes` small messages per registration.
   */
  probed(token: string, from: PeerAddress): void {
    const pending = this.connected && this.trackerHost !== undefined && Date.now() < this.pendingUntil;
    if (
      !pending ||
      typeof token !== 'string' ||
      !PROBE_TOKEN.test(token) ||
      normalizeHost(String(from?.host)) !== this.trackerHost ||
      this.echoedTokens.has(token)
    ) {
      this.counters.probesIgnored++;
      return;
    }
    if (this.echoesThisRegistration >= this.maxEchoes) {
      this.counters.probesIgnored++;
      this.pendingUntil = 0;
      return;
    }
    this.echoesThisRegistration++;
    this.echoedTokens.add(token);
    this.counters.echoes++;
    this.send({ type: 'echo', token });
  }

  status(): TrackerClientStatus {
    return {
      connected: this.connected,
      registered: this.registered,
      listedAs: this.listedAs && { ...this.listedAs },
      reachable: this.reachable,
      trackerPeers: this.trackerPeers.length,
      trackerUnreachable: this.trackerUnreachable,
      ...this.counters,
      lastDrop: this.lastDrop,
      staticPeers: this.staticPeers.length,
      exchangePeers: this.exchangePeers.size,
      attempts: this.attempts,
    };
  }

  private connect(): void {
    const tracker = this.options.tracker!;
    this.attempts++;
    // A transport bound to one address is dialled from it, so the tracker sees (and probes) the
    // host the transport listens on, not whichever address the route to the tracker picks.
    const bindHost = isIP(this.self!.host) !== 0 && !isUnspecifiedHost(this.self!.host) ? this.self!.host : undefined;
    const socket = connect({
      host: tracker.host,
      port: tracker.port,
      noDelay: true,
      ...(bindHost ? { localAddress: bindHost, family: isIP(bindHost) } : {}),
    });
    const decoder = new FrameDecoder(this.options.maxFrameBytes ?? MAX_FRAME_BYTES);
    this.socket = socket;
    // A tracker host that swallows SYNs would otherwise hold the attempt for minutes.
    socket.setTimeout(this.ttlMs, () => socket.destroy());
    socket.once('connect', () => {
      socket.setTimeout(0);
      this.connected = true;
      // The tracker lists us under the address it sees; until it says which, this is the best guess.
      if (socket.localAddress) this.selfKeys.add(addressKey({ host: socket.localAddress, port: this.self!.port }));
      this.trackerHost = normalizeHost(socket.remoteAddress ?? '');
      this.pendingUntil = Date.now() + this.probeWindowMs;
      this.echoesThisRegistration = 0;
      this.echoedTokens.clear();
      this.send({
        type: 'register',
        version: TRACKER_PROTOCOL_VERSION,
        chainId: this.options.chainId,
        port: this.self!.port,
        transport: this.transportKind,
      });
      this.scheduleHeartbeat();
      this.armSilenceTimer();
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return;
      const { frames, error } = decoder.push(chunk);
      for (const frame of frames) {
        if (this.socket !== socket || socket.destroyed) return;
        try {
          this.handle(socket, frame);
        } catch (err) {
          // Whatever a tracker's message makes go wrong costs that connection, never the node.
          this.drop(socket, `tracker message could not be handled: ${(err as Error)?.message ?? String(err)}`, 'MESSAGE_MALFORMED');
          return;
        }
      }
      if (error && !socket.destroyed) this.drop(socket, `tracker sent a bad frame: ${error.message}`, error.code);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (bindHost && !this.warnedUnroutable && UNROUTABLE.has(err.code ?? '')) {
        // Dialling from the transport's address is what makes the tracker list the right one;
        // when it cannot reach the tracker (a loopback transport, a remote tracker), say so once.
        this.warnedUnroutable = true;
        this.log.warn(
          { host: bindHost, code: err.code },
          `the tracker cannot be reached from the transport's address ${bindHost}; bind the transport to an address the tracker and the other peers can reach`,
        );
      }
      this.log.debug({ err: err.code ?? err.message }, 'tracker connection error');
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.connected) this.log.info('tracker connection closed; keeping the last known peers');
      this.connected = false;
      this.registered = false;
      this.reachable = false;
      this.pendingUntil = 0;
      this.clearTimers();
      this.scheduleReconnect();
    });
  }

  private handle(socket: Socket, frame: Buffer): void {
    const decoded = decodeMessage(frame);
    if (!decoded.ok) {
      this.drop(socket, `tracker sent a bad message: ${decoded.reason}`, decoded.code);
      return;
    }
    this.armSilenceTimer();
    const message = decoded.message as ServerMessage | ClientMessage;
    switch (message.type) {
      case 'heartbeat':
        return;
      case 'peers': {
        if (message.chainId !== this.options.chainId) {
          this.drop(socket, 'tracker sent the peer list of another network', 'WRONG_NETWORK');
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
        // Only verified members are offered to the node: an unverified address may be nobody's
        // (greeting it would make every member a reflector), or a member behind a NAT that
        // dials out and is met when it does.
        const usable = message.peers.filter((p) => isReachableHost(p.host));
        this.trackerPeers = dedupe(usable.filter((p) => p.reachable).map((p) => ({ host: normalizeHost(p.host), port: p.port })));
        this.trackerUnreachable = usable.length - usable.filter((p) => p.reachable).length;
        this.emitIfChanged();
        return;
      }
      case 'registered': {
        const seen = { host: normalizeHost(message.host), port: message.port };
        if (!this.listedAs || addressKey(this.listedAs) !== addressKey(seen))
          this.log.info({ listedAs: `${seen.host}:${seen.port}` }, 'tracker lists this node');
        this.listedAs = seen;
        this.selfKeys.add(addressKey(seen));
        if (message.reachable && !this.reachable) this.log.info('tracker verified this node is reachable');
        this.reachable = message.reachable;
        if (message.reachable) this.pendingUntil = 0;
        this.emitIfChanged();
        return;
      }
      case 'error':
        // The tracker closes after an error; the close handler reconnects with backoff.
        this.log.warn({ code: message.code }, `tracker refused: ${message.message}`);
        return;
      default:
        this.drop(socket, `tracker sent a '${message.type}' message, which only clients send`, 'MESSAGE_UNEXPECTED');
    }
  }

  private drop(socket: Socket, reason: string, code: string): void {
    this.lastDrop = code;
    this.log.warn({ code }, reason);
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
      if (this.socket) this.drop(this.socket, `tracker silent for ${this.ttlMs} ms; reconnecting`, 'TRACKER_SILENT');
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
    for (const withdraw of [...this.advertised]) withdraw();
    this.clearTimers();
    clearTimeout(this.reconnectTimer);
    const socket = this.socket;
    if (!socket) return;
    const connected = this.connected;
    if (connected) this.send({ type: 'leave' });
    this.socket = undefined;
    this.connected = false;
    this.registered = false;
    this.reachable = false;
    this.pendingUntil = 0;
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
