import { connect, isIP, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { PeerAddress } from '../../../kernel/index.js';
import { FrameDecoder, MAX_FRAME_BYTES } from '../framing.js';
import { decodeMessage, encodeMessage, isUnspecifiedHost, type ClientMessage, type ServerMessage } from '../messages.js';

/** Why a message from the tracker ends its connection, as `status().lastDrop` will show it. */
export interface Refusal {
  code: string;
  reason: string;
}

export interface LinkHooks {
  /** The connection is up: send the registration. */
  opened(socket: Socket): void;
  /** A whole, checked message from the tracker; a refusal drops the connection. */
  message(message: ServerMessage | ClientMessage): Refusal | undefined;
  /** The connection is gone (a reconnect is scheduled). */
  closed(): void;
}

export interface LinkSettings {
  tracker: PeerAddress;
  ttlMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  maxFrameBytes?: number;
  random: () => number;
}

/** Connect errors that mean "not from this source address", as opposed to "tracker down". */
const UNROUTABLE = new Set(['EINVAL', 'EADDRNOTAVAIL', 'ENETUNREACH', 'EHOSTUNREACH']);

/**
 * A transport bound to one address is dialled from it, so the tracker sees (and probes) the
 * host the transport listens on, not whichever address the route to the tracker picks.
 */
export function bindHostFor(self: PeerAddress): string | undefined {
  return isIP(self.host) !== 0 && !isUnspecifiedHost(self.host) ? self.host : undefined;
}

/**
 * The client's one connection to the tracker: framing, heartbeats, a silence timer, and
 * reconnecting with capped, jittered backoff whenever it goes.
 */
export class TrackerLink {
  private socket: Socket | undefined;
  private connected = false;
  private registered = false;
  private attempts = 0;
  private heartbeatMs: number;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private lastDrop: string | undefined;
  private warnedUnroutable = false;
  private running = false;
  private bindHost: string | undefined;

  constructor(
    private readonly settings: LinkSettings,
    private readonly hooks: LinkHooks,
    private readonly log: Logger,
  ) {
    this.heartbeatMs = Math.floor(settings.ttlMs / 3);
  }

  get isConnected(): boolean {
    return this.connected;
  }

  start(bindHost: string | undefined): void {
    this.running = true;
    this.bindHost = bindHost;
    this.connect();
  }

  send(message: ClientMessage): void {
    const socket = this.socket;
    if (!socket || !this.connected || socket.destroyed) return;
    socket.write(encodeMessage(message));
  }

  /** A peer list arrived: the registration took. Returns whether it is the first on this connection. */
  markRegistered(): boolean {
    const first = !this.registered;
    this.registered = true;
    this.attempts = 0;
    return first;
  }

  /** Heartbeats every third of our TTL or as often as the tracker asks, whichever is shorter. */
  followHeartbeat(askedMs: number): void {
    const wanted = Math.min(Math.floor(this.settings.ttlMs / 3), askedMs);
    if (wanted === this.heartbeatMs) return;
    this.heartbeatMs = wanted;
    this.scheduleHeartbeat();
  }

  status(): { connected: boolean; registered: boolean; lastDrop: string | undefined; attempts: number } {
    return { connected: this.connected, registered: this.registered, lastDrop: this.lastDrop, attempts: this.attempts };
  }

  /** Says `leave` (so the others learn at once) and closes; no reconnect after this. */
  async close(): Promise<void> {
    this.running = false;
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
    await endGracefully(socket);
  }

  private connect(): void {
    const { tracker } = this.settings;
    const bindHost = this.bindHost;
    this.attempts++;
    const socket = connect({
      host: tracker.host,
      port: tracker.port,
      noDelay: true,
      ...(bindHost ? { localAddress: bindHost, family: isIP(bindHost) } : {}),
    });
    const decoder = new FrameDecoder(this.settings.maxFrameBytes ?? MAX_FRAME_BYTES);
    this.socket = socket;
    // A tracker host that swallows SYNs would otherwise hold the attempt for minutes.
    socket.setTimeout(this.settings.ttlMs, () => socket.destroy());
    socket.once('connect', () => this.opened(socket));
    socket.on('data', (chunk: Buffer) => this.receive(socket, decoder, chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => this.failed(err));
    socket.on('close', () => this.closed(socket));
  }

  private opened(socket: Socket): void {
    socket.setTimeout(0);
    this.connected = true;
    this.hooks.opened(socket);
    this.scheduleHeartbeat();
    this.armSilenceTimer();
  }

  private receive(socket: Socket, decoder: FrameDecoder, chunk: Buffer): void {
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
  }

  private handle(socket: Socket, frame: Buffer): void {
    const decoded = decodeMessage(frame);
    if (!decoded.ok) {
      this.drop(socket, `tracker sent a bad message: ${decoded.reason}`, decoded.code);
      return;
    }
    this.armSilenceTimer();
    const refusal = this.hooks.message(decoded.message as ServerMessage | ClientMessage);
    if (refusal) this.drop(socket, refusal.reason, refusal.code);
  }

  private failed(err: NodeJS.ErrnoException): void {
    const bindHost = this.bindHost;
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
  }

  private closed(socket: Socket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    if (this.connected) this.log.info('tracker connection closed; keeping the last known peers');
    this.connected = false;
    this.registered = false;
    this.hooks.closed();
    this.clearTimers();
    this.scheduleReconnect();
  }

  private drop(socket: Socket, reason: string, code: string): void {
    this.lastDrop = code;
    this.log.warn({ code }, reason);
    socket.destroy();
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
      if (this.socket) this.drop(this.socket, `tracker silent for ${this.settings.ttlMs} ms; reconnecting`, 'TRACKER_SILENT');
    }, this.settings.ttlMs);
    this.silenceTimer.unref();
  }

  private scheduleReconnect(): void {
    if (!this.running) return;
    const { initialBackoffMs, maxBackoffMs, random } = this.settings;
    const ceiling = Math.min(maxBackoffMs, initialBackoffMs * 2 ** Math.min(this.attempts, 30));
    // Half fixed, half random: a restarted tracker is not hit by every client in the same millisecond.
    const delay = Math.round(ceiling / 2 + (random() * ceiling) / 2);
    this.log.debug({ delay, attempts: this.attempts }, 'reconnecting to tracker');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.running) this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }
}

/** The tracker closes its side on our FIN; one that does not is not waited for long. */
function endGracefully(socket: Socket): Promise<void> {
  return new Promise<void>((resolve) => {
    if (socket.destroyed) return resolve();
    const timer = setTimeout(() => socket.destroy(), 250);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.end();
  });
}
