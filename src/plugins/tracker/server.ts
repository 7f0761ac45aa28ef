import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { pino, type Logger } from 'pino';
import type { PeerAddress } from '../../kernel/services.js';
import { TrackerError } from './errors.js';
import { FrameDecoder } from './framing.js';
import {
  addressKey,
  decodeMessage,
  DEFAULT_TRACKER_PORT,
  DEFAULT_TTL_MS,
  encodeMessage,
  isReachableHost,
  isUnspecifiedHost,
  MAX_NETWORK_PEERS,
  normalizeHost,
  TRACKER_PROTOCOL_VERSION,
  type RegisterMessage,
  type ServerMessage,
} from './messages.js';

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
  logger?: Logger;
  /** Told of every join, leave and eviction (for `cairn tracker start`'s output); must not throw. */
  onMembership?: (change: MembershipChange) => void;
}

/**
 * A member came or went. `left` covers a `leave` message, a closed connection and a
 * connection closed for bad input (`reason` says which); `evicted` is a TTL expiry.
 */
export interface MembershipChange {
  type: 'joined' | 'left' | 'evicted';
  chainId: string;
  peer: PeerAddress;
  /** Members of that network after the change. */
  peers: number;
  reason?: string;
}

export interface TrackerStatus {
  listening: boolean;
  connections: number;
  networks: number;
  peers: number;
  byNetwork: Record<string, number>;
  /** Totals since start. */
  evicted: number;
  dropped: number;
  pushes: number;
}

interface Member {
  chainId: string;
  address: PeerAddress;
  key: string;
}

interface Connection {
  readonly id: number;
  readonly socket: Socket;
  readonly decoder: FrameDecoder;
  readonly remoteHost: string;
  timer: NodeJS.Timeout | undefined;
  member: Member | undefined;
  closing: boolean;
}

interface Network {
  readonly members: Map<string, Connection>;
  pushTimer: NodeJS.Timeout | undefined;
  lastPush: number;
}

/**
 * The rendezvous point of a network: peers register their transport address under a chain id
 * and get the full member list of that network pushed to them whenever it changes, as in the
 * original, but framed, schema-checked, with liveness, and without one client able to stall
 * the others.
 */
export class TrackerServer {
  private readonly options: Required<Omit<TrackerServerOptions, 'logger' | 'onMembership'>>;
  private readonly onMembership: ((change: MembershipChange) => void) | undefined;
  private readonly log: Logger;
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();
  private readonly networks = new Map<string, Network>();
  private nextId = 1;
  private stopping: Promise<void> | undefined;
  private counters = { evicted: 0, dropped: 0, pushes: 0 };

  constructor(options: TrackerServerOptions = {}) {
    this.options = {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? DEFAULT_TRACKER_PORT,
      ttlMs: options.ttlMs ?? DEFAULT_TTL_MS,
      maxConnections: options.maxConnections ?? 1024,
      maxFrameBytes: options.maxFrameBytes ?? 4096,
      maxBufferedBytes: options.maxBufferedBytes ?? 4 * 1024 * 1024,
      minPushIntervalMs: options.minPushIntervalMs ?? 50,
      maxPeersPerNetwork: Math.min(options.maxPeersPerNetwork ?? MAX_NETWORK_PEERS, MAX_NETWORK_PEERS),
    };
    const { ttlMs, maxConnections, port } = this.options;
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new TrackerError('TRACKER_BAD_OPTION', `port ${port} is not a TCP port (0-65535)`);
    if (!(ttlMs >= 30)) throw new TrackerError('TRACKER_BAD_OPTION', `ttlMs ${ttlMs} is too short: heartbeats come every third of it`);
    if (!(maxConnections >= 1)) throw new TrackerError('TRACKER_BAD_OPTION', `maxConnections must be at least 1`);
    this.log = options.logger ?? pino({ level: 'silent' });
    this.onMembership = options.onMembership;
  }

  /** Binds and resolves with the address actually bound (port 0 picks a free port). */
  async start(): Promise<PeerAddress> {
    if (this.stopping) throw new TrackerError('TRACKER_STOPPED', 'this tracker was stopped; create a new one to listen again');
    if (this.server) return this.address();
    const server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        this.server = undefined;
        const where = `${this.options.host}:${this.options.port}`;
        reject(
          new TrackerError('TRACKER_LISTEN_FAILED', `the tracker cannot listen on ${where}: ${listenFailure(err)}`, {
            host: this.options.host,
            port: this.options.port,
            cause: err.code ?? err.message,
          }),
        );
      };
      server.once('error', onError);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (err) => this.log.error({ err: err.message }, 'tracker server error'));
    const address = this.address();
    this.log.info({ host: address.host, port: address.port, ttlMs: this.options.ttlMs }, 'tracker listening');
    return address;
  }

  address(): PeerAddress {
    const info = this.server?.address() as AddressInfo | null | undefined;
    if (!info) throw new TrackerError('TRACKER_NOT_LISTENING', 'the tracker is not listening');
    return { host: info.address, port: info.port };
  }

  /** Closes every connection and the listening socket. Safe to call any number of times. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  status(): TrackerStatus {
    const byNetwork: Record<string, number> = {};
    let peers = 0;
    for (const [chainId, network] of this.networks) {
      byNetwork[chainId] = network.members.size;
      peers += network.members.size;
    }
    return {
      listening: this.server?.listening ?? false,
      connections: this.connections.size,
      networks: this.networks.size,
      peers,
      byNetwork,
      ...this.counters,
    };
  }

  /** The current members of a network, in join order. */
  members(chainId: string): PeerAddress[] {
    return [...(this.networks.get(chainId)?.members.values() ?? [])].map((c) => ({ ...c.member!.address }));
  }

  private async shutdown(): Promise<void> {
    const server = this.server;
    for (const network of this.networks.values()) clearTimeout(network.pushTimer);
    this.networks.clear();
    for (const conn of this.connections) {
      clearTimeout(conn.timer);
      conn.closing = true;
      conn.socket.destroy();
    }
    this.connections.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }

  private accept(socket: Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    const conn: Connection = {
      id: this.nextId++,
      socket,
      decoder: new FrameDecoder(this.options.maxFrameBytes),
      remoteHost: normalizeHost(socket.remoteAddress ?? ''),
      timer: undefined,
      member: undefined,
      closing: false,
    };
    socket.on('error', (err) => this.log.debug({ conn: conn.id, err: err.message }, 'tracker connection error'));
    socket.on('close', () => this.forget(conn));
    if (this.connections.size >= this.options.maxConnections) {
      this.log.warn({ remote: conn.remoteHost, max: this.options.maxConnections }, 'tracker full, connection refused');
      this.closeWith(conn, 'TRACKER_FULL', `the tracker already serves ${this.options.maxConnections} connections`);
      return;
    }
    this.connections.add(conn);
    // Liveness is a timer refreshed by each whole message, not by bytes: a client trickling a
    // frame one byte a minute is still silent.
    conn.timer = setTimeout(() => this.expire(conn), this.options.ttlMs);
    conn.timer.unref();
    socket.on('data', (chunk: Buffer) => this.receive(conn, chunk));
  }

  private receive(conn: Connection, chunk: Buffer): void {
    if (conn.closing) return;
    const { frames, error } = conn.decoder.push(chunk);
    for (const frame of frames) {
      if (conn.closing) return;
      this.handle(conn, frame);
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
    const message = decoded.message;
    switch (message.type) {
      case 'register':
        this.register(conn, message);
        return;
      case 'heartbeat':
        this.send(conn, { type: 'heartbeat' });
        return;
      case 'leave':
        this.leave(conn, 'leave');
        return;
      default:
        this.closeWith(conn, 'MESSAGE_UNEXPECTED', `a client may not send '${message.type}' messages`);
    }
  }

  private register(conn: Connection, message: RegisterMessage): void {
    if (message.version !== TRACKER_PROTOCOL_VERSION) {
      this.closeWith(
        conn,
        'VERSION_UNSUPPORTED',
        `this tracker speaks protocol version ${TRACKER_PROTOCOL_VERSION}, not ${message.version}`,
      );
      return;
    }
    // A peer bound to every interface does not know which address others reach it at; the
    // address its connection comes from is the best guess.
    const host = message.host === undefined || isUnspecifiedHost(message.host) ? conn.remoteHost : normalizeHost(message.host);
    if (!isReachableHost(host)) {
      this.closeWith(conn, 'ADDRESS_INVALID', `'${host}' is not an address other peers can reach`);
      return;
    }
    const address = { host, port: message.port };
    const key = addressKey(address);
    const current = conn.member;
    if (current && current.chainId === message.chainId && current.key === key) return;
    if (current) this.leave(conn, 'REREGISTERED');

    let network = this.networks.get(message.chainId);
    const holder = network?.members.get(key);
    if (holder) {
      // The newest registration of an address wins: it is usually the same peer back on a new
      // connection before the tracker noticed the old one die.
      const replaced = holder.member!;
      holder.member = undefined;
      network!.members.delete(key);
      this.notify('left', replaced, network!.members.size, 'ADDRESS_REPLACED');
      this.closeWith(holder, 'ADDRESS_REPLACED', `${host}:${message.port} registered again on another connection`);
    }
    if (network && network.members.size >= this.options.maxPeersPerNetwork) {
      this.closeWith(conn, 'NETWORK_FULL', `network ${message.chainId.slice(0, 12)} already has ${network.members.size} peers`);
      return;
    }
    if (!network) {
      network = { members: new Map(), pushTimer: undefined, lastPush: 0 };
      this.networks.set(message.chainId, network);
    }
    conn.member = { chainId: message.chainId, address, key };
    network.members.set(key, conn);
    this.notify('joined', conn.member, network.members.size);
    this.log.info(
      { chainId: message.chainId.slice(0, 12), peer: `${host}:${message.port}`, peers: network.members.size },
      'peer registered',
    );
    this.changed(message.chainId);
  }

  /** `reason`: 'leave', 'closed', or the error code the connection was closed with. */
  private leave(conn: Connection, reason: string): void {
    const member = conn.member;
    if (!member) return;
    conn.member = undefined;
    const network = this.networks.get(member.chainId);
    if (!network || network.members.get(member.key) !== conn) return;
    network.members.delete(member.key);
    this.notify(reason === 'HEARTBEAT_TIMEOUT' ? 'evicted' : 'left', member, network.members.size, reason);
    if (network.members.size === 0) {
      clearTimeout(network.pushTimer);
      this.networks.delete(member.chainId);
      return;
    }
    this.changed(member.chainId);
  }

  private expire(conn: Connection): void {
    if (conn.closing) return;
    this.counters.evicted++;
    this.log.info(
      { conn: conn.id, peer: conn.member ? `${conn.member.address.host}:${conn.member.address.port}` : undefined },
      'peer evicted: no heartbeat',
    );
    this.closeWith(conn, 'HEARTBEAT_TIMEOUT', `nothing was received for ${this.options.ttlMs} ms`);
  }

  /** Called on every close, whatever the cause: the peer leaves at once. */
  private forget(conn: Connection): void {
    conn.closing = true;
    clearTimeout(conn.timer);
    this.connections.delete(conn);
    this.leave(conn, 'closed');
  }

  private notify(type: MembershipChange['type'], member: Member, peers: number, reason?: string): void {
    if (!this.onMembership) return;
    try {
      this.onMembership({ type, chainId: member.chainId, peer: { ...member.address }, peers, ...(reason ? { reason } : {}) });
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'membership listener failed');
    }
  }

  /** Schedules a push of the network's list, at most one per `minPushIntervalMs`. */
  private changed(chainId: string): void {
    const network = this.networks.get(chainId);
    if (!network || network.pushTimer) return;
    const wait = Math.max(0, network.lastPush + this.options.minPushIntervalMs - Date.now());
    network.pushTimer = setTimeout(() => {
      network.pushTimer = undefined;
      network.lastPush = Date.now();
      this.push(chainId, network);
    }, wait);
  }

  private push(chainId: string, network: Network): void {
    if (this.networks.get(chainId) !== network) return;
    const peers = [...network.members.values()].map((c) => c.member!.address);
    // One encoding, written to every member: the frame is shared, not copied per socket.
    const frame = encodeMessage({ type: 'peers', chainId, peers, heartbeatMs: Math.floor(this.options.ttlMs / 3) });
    this.counters.pushes++;
    for (const conn of [...network.members.values()]) this.write(conn, frame);
  }

  private send(conn: Connection, message: ServerMessage): void {
    this.write(conn, encodeMessage(message));
  }

  /** Never waits for a client: one that has stopped reading is dropped once its backlog passes the bound. */
  private write(conn: Connection, frame: Buffer): void {
    if (conn.closing || conn.socket.destroyed) return;
    if (conn.socket.writableLength + frame.length > this.options.maxBufferedBytes) {
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
  private closeWith(conn: Connection, code: string, message: string): void {
    if (conn.closing) return;
    this.log.debug({ conn: conn.id, remote: conn.remoteHost, code }, message);
    this.send(conn, { type: 'error', code, message });
    conn.closing = true;
    this.leave(conn, code);
    conn.socket.end();
    setTimeout(() => conn.socket.destroy(), 1000).unref();
  }
}

/** Why a listen failed, in words a person can act on. */
function listenFailure(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return 'the port is already in use (is another tracker running?)';
    case 'EADDRNOTAVAIL':
      return "that address is not one of this machine's (EADDRNOTAVAIL)";
    case 'EACCES':
      return 'permission denied (ports below 1024 need privileges)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    default:
      return err.code ?? err.message;
  }
}
