import net from 'node:net';
import type { Logger } from 'pino';
import { inject, injectable } from 'tsyringe';
import type { PeerAddress, Transport } from '../../kernel/index.js';
import { assertWired, LOGGER, peerKey } from '../../kernel/index.js';
import { TransportError } from './errors.js';
import {
  FRAME_DATA,
  FRAME_HELLO,
  FrameReader,
  frameHead,
  HELLO_MAX_FRAME_BYTES,
  MAX_HOST_BYTES,
  ReadBudgetError,
  type ReadBudget,
} from './frames.js';
import { resolveOptions, TCP_TRANSPORT_OPTIONS, type TcpOptions, type TcpTransportOptions, type TcpTransportStats } from './options.js';

const SWEEP_MS = 1000;

interface Connection {
  readonly socket: net.Socket;
  /** The peer's listening address, once known (at once when we dialled, after hello when it did). */
  peer?: PeerAddress;
  key?: string;
  reader: FrameReader;
  /** Data frames it delivered: only a connection that has spoken may push out another's frame. */
  delivered: number;
}

/** `::ffff:127.0.0.1` (an IPv4 peer on a dual-stack socket) is `127.0.0.1`. */
function plainHost(host: string | undefined): string {
  return (host ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}

/**
 * The transport contract over TCP. A peer is a connection: messages on an inbound connection
 * come from its source address and port as the kernel saw the TCP handshake, and replies to
 * that address go back on it. A claimed listening port is never trusted, since any process on
 * the same host could claim another's; the hello the dialler sends first only opens the
 * connection (until it arrives, only a hello-sized frame is read). Sends to any other address
 * dial it, once. Unfinished frames of all connections together are bounded by bytes, and when a
 * chunk does not fit, the connection whose unfinished frame began longest ago is closed: closing
 * the one that brought the chunk let 8 idle connections make the node deaf to every honest one
 * (issue 10, finding D), and closing the largest holder let 256 connections of 255 KiB each close
 * every honest one carrying a larger frame (the second look); connections that hold the budget
 * by trickling hold old frames, and an honest frame arrives at the link's speed. An unfinished
 * frame also has a deadline. A failed connection is forgotten; the next send dials again.
 */
@injectable()
export class TcpTransport implements Transport {
  private readonly options: TcpOptions;
  private server?: net.Server;
  private bound?: PeerAddress;
  private starting?: Promise<void>;
  private readonly handlers: Array<(from: PeerAddress, message: Buffer) => void> = [];
  /** The connection used to send to each peer, by listening address. */
  private readonly byPeer = new Map<string, Connection>();
  private readonly all = new Set<Connection>();
  private readonly readBudget: ReadBudget;
  private sweepTimer?: NodeJS.Timeout;
  private readonly counters = {
    messagesSent: 0,
    messagesDelivered: 0,
    sendDropped: 0,
    malformed: 0,
    overBuffered: 0,
    frameTimeouts: 0,
    connectionsOpened: 0,
    connectionsAccepted: 0,
  };

  constructor(
    @inject(TCP_TRANSPORT_OPTIONS) options: TcpTransportOptions,
    @inject(LOGGER) private readonly log: Logger,
  ) {
    assertWired('TcpTransport', { options, log });
    this.options = resolveOptions(options);
    this.readBudget = { left: this.options.maxBufferedBytes };
  }

  get address(): PeerAddress {
    if (!this.bound) throw new TransportError('TRANSPORT_NOT_STARTED', 'the TCP transport has no address until it is started');
    return { ...this.bound };
  }

  onMessage(handler: (from: PeerAddress, message: Buffer) => void): void {
    this.handlers.push(handler);
  }

  stats(): TcpTransportStats {
    return { ...this.counters, connections: this.all.size, bufferedBytes: this.options.maxBufferedBytes - this.readBudget.left };
  }

  start(): Promise<void> {
    if (this.server) return Promise.resolve();
    this.starting ??= this.listen().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async listen(): Promise<void> {
    const { host, port } = this.options;
    const server = net.createServer((socket) => this.accept(socket));
    server.maxConnections = this.options.maxConnections;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port, exclusive: true }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      server.close();
      throw new TransportError('TRANSPORT_BIND_FAILED', `cannot listen on TCP ${host}:${port}: ${(err as Error).message}`, { host, port });
    }
    server.on('error', (err) => this.log.warn({ err: err.message }, 'TCP server error'));
    const local = server.address() as net.AddressInfo;
    this.bound = { host: local.address, port: local.port };
    this.server = server;
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweepTimer.unref();
  }

  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    clearInterval(this.sweepTimer);
    for (const conn of this.all) conn.socket.destroy();
    this.all.clear();
    this.byPeer.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  send(to: PeerAddress, message: Uint8Array): void {
    if (message.length > this.options.maxMessageBytes) {
      throw new TransportError(
        'TRANSPORT_MESSAGE_TOO_LARGE',
        `a message of ${message.length} bytes exceeds the ${this.options.maxMessageBytes}-byte limit`,
      );
    }
    if (!this.server || !Number.isInteger(to.port) || to.port <= 0 || to.port > 0xffff || typeof to.host !== 'string') {
      this.counters.sendDropped++;
      return;
    }
    const conn = this.byPeer.get(peerKey(to)) ?? this.dial(to);
    if (!conn || conn.socket.writableLength + message.length > this.options.maxWriteBufferBytes) {
      this.counters.sendDropped++;
      return;
    }
    this.write(conn.socket, FRAME_DATA, message);
    this.counters.messagesSent++;
  }

  private write(socket: net.Socket, type: number, body: Uint8Array): void {
    socket.cork();
    socket.write(frameHead(type, body.length));
    // Copied: the caller may reuse its buffer as soon as send returns.
    socket.write(Buffer.from(body));
    socket.uncork();
  }

  private dial(to: PeerAddress): Connection | undefined {
    const bound = this.bound!;
    const wildcard = bound.host === '0.0.0.0' || bound.host === '::';
    let socket: net.Socket;
    try {
      // Dial from our listening host, so the peer attributes the connection to the address we listen on.
      socket = net.connect({ host: to.host, port: to.port, ...(wildcard ? {} : { localAddress: bound.host }) });
    } catch (err) {
      this.log.debug({ to: peerKey(to), err: (err as Error).message }, 'TCP dial failed');
      return undefined;
    }
    const conn: Connection = {
      socket,
      peer: { host: to.host, port: to.port },
      key: peerKey(to),
      reader: new FrameReader(this.options.maxMessageBytes + 1, this.readBudget),
      delivered: 0,
    };
    this.counters.connectionsOpened++;
    this.byPeer.set(conn.key!, conn);
    this.track(conn);
    const host = Buffer.from(bound.host);
    const hello = Buffer.allocUnsafe(2 + host.length);
    hello.writeUInt16BE(bound.port, 0);
    host.copy(hello, 2);
    this.write(socket, FRAME_HELLO, hello);
    return conn;
  }

  private accept(socket: net.Socket): void {
    if (!this.server) {
      socket.destroy();
      return;
    }
    this.counters.connectionsAccepted++;
    // Until an inbound connection has said hello, only a hello-sized frame is accepted from it.
    const conn: Connection = { socket, reader: new FrameReader(HELLO_MAX_FRAME_BYTES, this.readBudget), delivered: 0 };
    this.track(conn);
    const timer = setTimeout(() => {
      if (!conn.peer) socket.destroy();
    }, this.options.helloTimeoutMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  }

  private track(conn: Connection): void {
    const { socket } = conn;
    this.all.add(conn);
    socket.setNoDelay(true);
    const { reader } = conn;
    socket.on('data', (chunk: Buffer) => {
      try {
        if (chunk.length > this.readBudget.left) this.makeRoom(conn, chunk.length);
        reader.push(chunk, (type, body) => this.onFrame(conn, type, body));
      } catch (err) {
        if (err instanceof ReadBudgetError) this.counters.overBuffered++;
        else this.counters.malformed++;
        this.log.debug({ peer: conn.key, err: (err as Error).message }, 'TCP connection closed for a bad frame');
        socket.destroy();
      }
    });
    socket.on('error', (err) => this.log.debug({ peer: conn.key, err: err.message }, 'TCP connection error'));
    socket.on('close', () => {
      reader.release();
      this.all.delete(conn);
      if (conn.key && this.byPeer.get(conn.key) === conn) this.byPeer.delete(conn.key);
    });
  }

  private onFrame(conn: Connection, type: number, body: Buffer): void {
    if (type === FRAME_HELLO) {
      if (conn.peer || body.length < 2 || body.length > 2 + MAX_HOST_BYTES)
        throw new TransportError('TRANSPORT_BAD_FRAME', 'an unexpected or malformed hello');
      if (body.readUInt16BE(0) === 0) throw new TransportError('TRANSPORT_BAD_FRAME', 'a hello with port 0');
      const port = conn.socket.remotePort;
      if (!port) throw new TransportError('TRANSPORT_BAD_FRAME', 'a connection without a source port');
      // The connection is the identity: its source address as TCP proved it, not a claimed port.
      conn.peer = { host: plainHost(conn.socket.remoteAddress), port };
      conn.key = peerKey(conn.peer);
      conn.reader.maxFrameBytes = this.options.maxMessageBytes + 1;
      this.byPeer.set(conn.key, conn);
      return;
    }
    if (type !== FRAME_DATA || !conn.peer)
      throw new TransportError('TRANSPORT_BAD_FRAME', `a frame of type ${type} before or instead of data`);
    this.counters.messagesDelivered++;
    conn.delivered++;
    for (const handler of this.handlers) {
      try {
        handler({ ...conn.peer }, body);
      } catch (err) {
        this.log.error({ from: conn.key, err: (err as Error).message }, 'message handler failed');
      }
    }
  }

  /**
   * Closes the connections whose unfinished frame began longest ago until `bytes` more fit;
   * throws (so `conn` is closed) when `conn`'s own frame is the oldest, or when `conn` has never
   * delivered a message: connections that only ever open one huge frame (a burst of them filling
   * the budget at once) would otherwise push each other out in turn, and the node would read all
   * of every one of them (RSS +136 MiB for 40 x 8 MiB, twice the bound).
   */
  private makeRoom(conn: Connection, bytes: number): void {
    if (conn.delivered === 0) throw new ReadBudgetError();
    while (bytes > this.readBudget.left) {
      let oldest: Connection | undefined;
      for (const c of this.all) if (c.reader.held > 0 && (!oldest || c.reader.heldSince < oldest.reader.heldSince)) oldest = c;
      if (!oldest || oldest === conn) throw new ReadBudgetError();
      this.close(oldest, 'its unfinished frame was the oldest when another connection needed room');
      this.counters.overBuffered++;
    }
  }

  /** Closes connections whose unfinished frame waited past its deadline. */
  private sweep(): void {
    const deadline = Date.now() - this.options.frameTimeoutMs;
    for (const conn of [...this.all]) {
      const since = conn.reader.heldSince;
      if (since === 0 || since > deadline) continue;
      this.counters.frameTimeouts++;
      this.close(conn, 'an unfinished frame waited past its deadline');
    }
  }

  /** Closes at once and gives its held bytes back now (the 'close' event comes later). */
  private close(conn: Connection, why: string): void {
    this.log.debug({ peer: conn.key, why }, 'TCP connection closed');
    conn.reader.release();
    this.all.delete(conn);
    if (conn.key && this.byPeer.get(conn.key) === conn) this.byPeer.delete(conn.key);
    conn.socket.destroy();
  }
}
