import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { FrameDecoder } from '../framing.js';
import { decodeMessage, encodeMessage, normalizeHost, type ServerMessage, type TrackerMessage } from '../messages.js';
import type { ServerLimits } from './options.js';
import { describe, type Connection, type ServerCounters } from './state.js';

export interface ConnectionHooks {
  /** A whole, checked message arrived on the connection. */
  message(conn: Connection, message: TrackerMessage): void;
  /** The connection's registration must go: `reason` is 'closed' or the code it was closed with. */
  leave(conn: Connection, reason: string): void;
}

type ConnectionLimits = Pick<ServerLimits, 'ttlMs' | 'maxConnections' | 'maxFrameBytes' | 'maxBufferedBytes'>;

/**
 * The tracker's TCP connections: framing and decoding what each one sends, its liveness timer,
 * and writing to it without ever waiting. Whatever one connection does costs only that
 * connection.
 */
export class Connections {
  private readonly open = new Set<Connection>();
  private nextId = 1;

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly counters: ServerCounters,
    private readonly log: Logger,
    private readonly hooks: ConnectionHooks,
  ) {}

  get size(): number {
    return this.open.size;
  }

  accept(socket: Socket): void {
    const conn: Connection = {
      id: this.nextId++,
      socket,
      decoder: new FrameDecoder(this.limits.maxFrameBytes),
      remoteHost: normalizeHost(socket.remoteAddress ?? ''),
      timer: undefined,
      registration: undefined,
      closing: false,
    };
    socket.on('error', (err) => this.log.debug({ conn: conn.id, err: err.message }, 'tracker connection error'));
    socket.on('close', () => this.forget(conn));
    if (this.open.size >= this.limits.maxConnections) {
      this.log.warn({ remote: conn.remoteHost, max: this.limits.maxConnections }, 'tracker full, connection refused');
      this.closeWith(conn, 'TRACKER_FULL', `the tracker already serves ${this.limits.maxConnections} connections`);
      return;
    }
    this.open.add(conn);
    // Liveness is a timer refreshed by each whole message, not by bytes: a client trickling a
    // frame one byte a minute is still silent.
    conn.timer = setTimeout(() => this.expire(conn), this.limits.ttlMs);
    conn.timer.unref();
    socket.on('data', (chunk: Buffer) => this.receive(conn, chunk));
  }

  send(conn: Connection, message: ServerMessage): void {
    this.write(conn, encodeMessage(message));
  }

  /** Never waits for a client: one that has stopped reading is dropped once its backlog passes the bound. */
  write(conn: Connection, frame: Buffer): void {
    if (conn.closing || conn.socket.destroyed) return;
    if (conn.socket.writableLength + frame.length > this.limits.maxBufferedBytes) {
      this.counters.dropped++;
      this.log.warn({ conn: conn.id, buffered: conn.socket.writableLength }, 'slow client dropped: it does not read what it is sent');
      conn.closing = true;
      conn.socket.destroy();
      return;
    }
    conn.socket.write(frame);
  }

  /**
   * Tells the client why, then closes. The peer leaves the network now, not when the socket
   * finally closes, and a client that does not take the error is destroyed shortly after.
   */
  closeWith(conn: Connection, code: string, message: string): void {
    if (conn.closing) return;
    this.log.debug({ conn: conn.id, remote: conn.remoteHost, code }, message);
    this.send(conn, { type: 'error', code, message });
    conn.closing = true;
    this.hooks.leave(conn, code);
    conn.socket.end();
    setTimeout(() => conn.socket.destroy(), 1000).unref();
  }

  /** Destroys every connection at once (the tracker is stopping). */
  destroyAll(): void {
    for (const conn of this.open) {
      clearTimeout(conn.timer);
      conn.closing = true;
      conn.socket.destroy();
    }
    this.open.clear();
  }

  private receive(conn: Connection, chunk: Buffer): void {
    if (conn.closing) return;
    const { frames, error } = conn.decoder.push(chunk);
    for (const frame of frames) {
      if (conn.closing) return;
      try {
        this.handle(conn, frame);
      } catch (err) {
        // Last line of defence: whatever a message makes go wrong costs that connection only.
        this.log.warn({ conn: conn.id, err: (err as Error)?.message ?? String(err) }, 'tracker message handler failed');
        this.closeWith(conn, 'MESSAGE_MALFORMED', 'the tracker could not handle that message');
        return;
      }
    }
    if (error && !conn.closing) this.closeWith(conn, error.code, error.message);
  }

  private handle(conn: Connection, frame: Buffer): void {
    const decoded = decodeMessage(frame);
    if (!decoded.ok) {
      this.closeWith(conn, decoded.code, decoded.reason);
      return;
    }
    conn.timer?.refresh();
    this.hooks.message(conn, decoded.message);
  }

  private expire(conn: Connection): void {
    if (conn.closing) return;
    this.counters.evicted++;
    this.log.debug({ conn: conn.id, peer: conn.registration ? describe(conn.registration) : undefined }, 'peer evicted: no heartbeat');
    this.closeWith(conn, 'HEARTBEAT_TIMEOUT', `nothing was received for ${this.limits.ttlMs} ms`);
  }

  /** Called on every close, whatever the cause: the peer leaves at once. */
  private forget(conn: Connection): void {
    conn.closing = true;
    clearTimeout(conn.timer);
    this.open.delete(conn);
    this.hooks.leave(conn, 'closed');
  }
}
