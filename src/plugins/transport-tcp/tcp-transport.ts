import net from 'node:net';
import type { Logger } from 'pino';
import { inject, injectable } from 'tsyringe';
import { assertWired } from '../../kernel/index.js';
import type { PeerAddress, Transport } from '../../kernel/index.js';
import { LOGGER } from '../../kernel/index.js';
import { TransportError } from './errors.js';

/** Token for the options of one `tcpTransport()` plugin value, registered beside the transport in the node's container. */
export const TCP_TRANSPORT_OPTIONS = Symbol('cairn.transport-tcp.options');

export interface TcpTransportOptions {
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Port to listen on; 0 picks a free one (default 0). */
  port?: number;
  /** Largest message `send` accepts and a receiver reads (default 8 MiB). */
  maxMessageBytes?: number;
  /** A peer whose unsent bytes exceed this loses further messages until it drains (default 16 MiB). */
  maxWriteBufferBytes?: number;
  /** An inbound connection that has not said hello within this long is closed (default 5 s). */
  helloTimeoutMs?: number;
  /** Inbound connections at once (default 512). */
  maxConnections?: number;
  /** Bytes of unfinished frames all connections together may hold; the connection that would pass it is closed (default 64 MiB). */
  maxBufferedBytes?: number;
}

export type TcpTransportStats = {
  messagesSent: number;
  messagesDelivered: number;
  /** Messages not sent: transport stopped, bad address, dial failed, or the peer's write buffer full. */
  sendDropped: number;
  /** Connections closed for a bad frame: oversized, unknown type, or data before hello. */
  malformed: number;
  /** Connections closed because unfinished frames of all connections would have passed `maxBufferedBytes`. */
  overBuffered: number;
  bufferedBytes: number;
  connectionsOpened: number;
  connectionsAccepted: number;
  connections: number;
};

const FRAME_HELLO = 0;
const FRAME_DATA = 1;
const LENGTH_BYTES = 4;
const MAX_HOST_BYTES = 255;
const HELLO_MAX_FRAME_BYTES = 1 + 2 + MAX_HOST_BYTES;

const DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  maxMessageBytes: 8 * 1024 * 1024,
  maxWriteBufferBytes: 16 * 1024 * 1024,
  helloTimeoutMs: 5_000,
  maxConnections: 512,
  maxBufferedBytes: 64 * 1024 * 1024,
};

interface Connection {
  readonly socket: net.Socket;
  /** The peer's listening address, once known (at once when we dialled, after hello when it did). */
  peer?: PeerAddress;
  key?: string;
  reader?: FrameReader;
}

function peerKey(address: PeerAddress): string {
  return `${address.host}:${address.port}`;
}

/** `::ffff:127.0.0.1` (an IPv4 peer on a dual-stack socket) is `127.0.0.1`. */
function plainHost(host: string | undefined): string {
  return (host ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}

export interface ReadBudget {
  left: number;
}

export class ReadBudgetError extends TransportError {
  constructor() {
    super('TRANSPORT_OVER_BUFFERED', 'unfinished frames of all connections would exceed the read budget');
  }
}

/**
 * Reads `u32 length | type u8 | body` frames from a byte stream, however the reads split or
 * coalesce them. The length is checked before any of the body is buffered.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** `budget` is shared by every reader of a transport: it refuses a chunk that would exceed it. */
  constructor(
    public maxFrameBytes: number,
    private readonly budget: ReadBudget = { left: Infinity },
  ) {}

  /** Bytes held for an unfinished frame; given back to the budget on `release`. */
  get held(): number {
    return this.buffered;
  }

  release(): void {
    this.budget.left += this.buffered;
    this.buffered = 0;
    this.chunks = [];
  }

  /**
   * Hands each complete frame to `onFrame` in order, one at a time (a frame may change the limit
   * for the next); throws `TransportError` on an impossible length.
   */
  push(chunk: Buffer, onFrame: (type: number, body: Buffer) => void): void {
    if (chunk.length > this.budget.left) throw new ReadBudgetError();
    this.budget.left -= chunk.length;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.buffered < LENGTH_BYTES) break;
      const head = this.peek(LENGTH_BYTES);
      const length = head.readUInt32BE(0);
      if (length < 1 || length > this.maxFrameBytes)
        throw new TransportError('TRANSPORT_BAD_FRAME', `a frame of ${length} bytes is outside 1..${this.maxFrameBytes}`);
      if (this.buffered < LENGTH_BYTES + length) break;
      const frame = this.take(LENGTH_BYTES + length);
      this.budget.left += LENGTH_BYTES + length;
      onFrame(frame[LENGTH_BYTES]!, frame.subarray(LENGTH_BYTES + 1));
    }
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }

  private take(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    const first = this.chunks[0]!;
    const out = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return out;
  }
}

/**
 * The transport contract over TCP. A peer is a connection: messages on an inbound connection
 * come from its source address and port as the kernel saw the TCP handshake, and replies to
 * that address go back on it. A claimed listening port is never trusted, since any process on
 * the same host could claim another's; the hello the dialler sends first only opens the
 * connection (until it arrives, only a hello-sized frame is read). Sends to any other address
 * dial it, once. Unfinished frames of all connections together are bounded by bytes. A failed
 * connection is forgotten; the next send dials again.
 */
@injectable()
export class TcpTransport implements Transport {
  private readonly options: Required<TcpTransportOptions>;
  private server?: net.Server;
  private bound?: PeerAddress;
  private starting?: Promise<void>;
  private readonly handlers: Array<(from: PeerAddress, message: Buffer) => void> = [];
  /** The connection used to send to each peer, by listening address. */
  private readonly byPeer = new Map<string, Connection>();
  private readonly all = new Set<Connection>();
  private readBudget!: ReadBudget;
  private readonly counters = {
    messagesSent: 0,
    messagesDelivered: 0,
    sendDropped: 0,
    malformed: 0,
    overBuffered: 0,
    connectionsOpened: 0,
    connectionsAccepted: 0,
  };

  constructor(
    @inject(TCP_TRANSPORT_OPTIONS) options: TcpTransportOptions,
    @inject(LOGGER) private readonly log: Logger,
  ) {
    assertWired('TcpTransport', { options, log });
    this.options = {
      ...DEFAULTS,
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    } as Required<TcpTransportOptions>;
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
  }

  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const server = this.server;
    if (!server) return;
    this.server = undefined;
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
    const head = Buffer.allocUnsafe(LENGTH_BYTES + 1);
    head.writeUInt32BE(body.length + 1, 0);
    head[LENGTH_BYTES] = type;
    socket.cork();
    socket.write(head);
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
    const conn: Connection = { socket, peer: { host: to.host, port: to.port }, key: peerKey(to) };
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
    const conn: Connection = { socket };
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
    // Until an inbound connection has said hello, only a hello-sized frame is accepted from it.
    const reader = new FrameReader(conn.peer ? this.options.maxMessageBytes + 1 : HELLO_MAX_FRAME_BYTES, this.readBudget);
    conn.reader = reader;
    socket.on('data', (chunk: Buffer) => {
      try {
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
      conn.reader!.maxFrameBytes = this.options.maxMessageBytes + 1;
      this.byPeer.set(conn.key, conn);
      return;
    }
    if (type !== FRAME_DATA || !conn.peer)
      throw new TransportError('TRANSPORT_BAD_FRAME', `a frame of type ${type} before or instead of data`);
    this.counters.messagesDelivered++;
    for (const handler of this.handlers) {
      try {
        handler({ ...conn.peer }, body);
      } catch (err) {
        this.log.error({ from: conn.key, err: (err as Error).message }, 'message handler failed');
      }
    }
  }
}
