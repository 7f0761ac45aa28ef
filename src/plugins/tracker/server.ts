import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { pino, type Logger } from 'pino';
import type { PeerAddress } from '../../kernel/index.js';
import { TrackerError } from './errors.js';
import { FrameDecoder } from './framing.js';
import {
  addressKey,
  decodeMessage,
  DEFAULT_TRACKER_PORT,
  DEFAULT_TTL_MS,
  encodeMessage,
  isReachableHost,
  MAX_NETWORK_PEERS,
  normalizeHost,
  type ListedPeer,
  type RegisterMessage,
  type ServerMessage,
  type TransportKind,
} from './messages.js';
import type { ProbeSender } from './prober.js';
import { DEFAULT_PROBE_SCHEDULE, ReachabilityCheck, type ProbeSchedule } from './reachability.js';

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

/**
 * A member came, went, or was checked. `joined`: listed (unverified yet); `reachable`: its
 * address echoed a probe; `unreachable`: it never did and stays listed as such; `refused`: a
 * second registration of an address already held failed its probe and was not listed; `left`
 * covers a `leave` message, a closed connection and a connection closed for bad input
 * (`reason` says which); `evicted` is a TTL expiry.
 */
export interface MembershipChange {
  type: 'joined' | 'reachable' | 'unreachable' | 'refused' | 'left' | 'evicted';
  chainId: string;
  peer: PeerAddress;
  /** Members listed in that network after the change. */
  peers: number;
  reason?: string;
}

export interface TrackerStatus {
  listening: boolean;
  connections: number;
  networks: number;
  /** Listed members, and how many of them are verified reachable. */
  peers: number;
  reachable: number;
  /** Registrations of an address another connection holds, waiting for their probe or for the holder to go. */
  contenders: number;
  byNetwork: Record<string, number>;
  /** Totals since start. */
  evicted: number;
  dropped: number;
  pushes: number;
  probes: number;
  /** Echoes that matched no pending check (late, forged, or another connection's token). */
  echoesIgnored: number;
  replaced: number;
}

interface Registration {
  readonly chainId: string;
  readonly address: PeerAddress;
  readonly key: string;
  readonly transport: TransportKind;
  /** Holds its address in the network's list (otherwise it contends for it). */
  listed: boolean;
  reachable: boolean;
  check: ReachabilityCheck | undefined;
}

interface Connection {
  readonly id: number;
  readonly socket: Socket;
  readonly decoder: FrameDecoder;
  readonly remoteHost: string;
  timer: NodeJS.Timeout | undefined;
  registration: Registration | undefined;
  closing: boolean;
}

interface Network {
  /** Listed members by address key, in join order. */
  readonly members: Map<string, Connection>;
  /** Every registered connection, listed or contending: all of them get the pushes. */
  readonly registrants: Set<Connection>;
  pushTimer: NodeJS.Timeout | undefined;
  lastPush: number;
}

/**
 * The rendezvous point of a network: peers register the port of their transport under a chain
 * id and get the full member list of that network pushed to them whenever it changes.
 *
 * Identity: a registration's address is the connection's source host with the announced port;
 * the tracker never takes a host from a message. Before a member is listed as reachable its
 * address must echo a probe. Only a connection from the same source host that passes the probe
 * can take over an address another connection holds, and a connection can only ever remove its
 * own registration, so nobody can evict, replace or list someone else.
 */
export class TrackerServer {
  private readonly options: Required<Omit<TrackerServerOptions, 'logger' | 'onMembership' | 'probe' | 'probeSchedule'>>;
  private readonly onMembership: ((change: MembershipChange) => void) | undefined;
  private readonly probe: ProbeSender | undefined;
  private readonly schedule: ProbeSchedule;
  private readonly log: Logger;
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();
  private readonly networks = new Map<string, Network>();
  private nextId = 1;
  private stopping: Promise<void> | undefined;
  private counters = { evicted: 0, dropped: 0, pushes: 0, echoesIgnored: 0, replaced: 0, probes: 0 };

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
    this.schedule = { ...DEFAULT_PROBE_SCHEDULE, ...options.probeSchedule };
    const { retryMs, maxRetryMs, attempts } = this.schedule;
    if (!(retryMs >= 1 && maxRetryMs >= retryMs && Number.isInteger(attempts) && attempts >= 1 && attempts <= 20))
      throw new TrackerError('TRACKER_BAD_OPTION', 'the probe schedule needs retryMs >= 1, maxRetryMs >= retryMs and 1-20 attempts');
    this.probe = options.probe;
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
    if (!this.probe) this.log.warn('no probe sender: registrations cannot be verified and every member is listed unreachable');
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
    let reachable = 0;
    let contenders = 0;
    for (const [chainId, network] of this.networks) {
      byNetwork[chainId] = network.members.size;
      peers += network.members.size;
      contenders += network.registrants.size - network.members.size;
      for (const conn of network.members.values()) if (conn.registration!.reachable) reachable++;
    }
    return {
      listening: this.server?.listening ?? false,
      connections: this.connections.size,
      networks: this.networks.size,
      peers,
      reachable,
      contenders,
      byNetwork,
      ...this.counters,
    };
  }

  /** The listed members of a network, in join order. */
  members(chainId: string): ListedPeer[] {
    return [...(this.networks.get(chainId)?.members.values() ?? [])].map((c) => listed(c.registration!));
  }

  private async shutdown(): Promise<void> {
    const server = this.server;
    for (const network of this.networks.values()) {
      clearTimeout(network.pushTimer);
      for (const conn of network.registrants) conn.registration?.check?.stop();
    }
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
      registration: undefined,
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
    const message = decoded.message;
    switch (message.type) {
      case 'register':
        this.register(conn, message);
        return;
      case 'echo':
        this.echo(conn, message.token);
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
    // The only host the tracker can check is the one the connection comes from; behind a NAT
    // that is the NAT's public address, which is what the others must dial anyway.
    const host = conn.remoteHost;
    if (!isReachableHost(host)) {
      this.closeWith(conn, 'ADDRESS_INVALID', `'${host}' is not an address other peers can reach`);
      return;
    }
    const transport = message.transport ?? 'udp';
    const address = { host, port: message.port };
    const key = addressKey(address);
    const current = conn.registration;
    if (current && current.chainId === message.chainId && current.key === key && current.transport === transport) {
      this.send(conn, { type: 'registered', ...listed(current) });
      return;
    }
    if (current) this.leave(conn, 'REREGISTERED');

    let network = this.networks.get(message.chainId);
    if (network && network.registrants.size >= this.options.maxPeersPerNetwork) {
      this.closeWith(conn, 'NETWORK_FULL', `network ${message.chainId.slice(0, 12)} already has ${network.registrants.size} peers`);
      return;
    }
    if (!network) {
      network = { members: new Map(), registrants: new Set(), pushTimer: undefined, lastPush: 0 };
      this.networks.set(message.chainId, network);
    }
    const registration: Registration = {
      chainId: message.chainId,
      address,
      key,
      transport,
      listed: false,
      reachable: false,
      check: undefined,
    };
    conn.registration = registration;
    network.registrants.add(conn);
    if (network.members.has(key)) {
      // Held by another connection from this host: usually the same node back before its old
      // connection was noticed dead, or a co-hosted process claiming its port. Only the probe
      // tells them apart; until it passes, the holder keeps the address.
      this.log.info({ conn: conn.id, peer: `${host}:${message.port}` }, 'address already held: probing before it changes hands');
      // The list did not change, so no push is due; the contender still gets to know the network.
      this.write(conn, this.listFrame(message.chainId, network));
    } else {
      this.list(network, conn);
    }
    this.send(conn, { type: 'registered', ...listed(registration) });
    this.verify(conn, registration);
  }

  private verify(conn: Connection, registration: Registration): void {
    const target = { ...registration.address, transport: registration.transport };
    const check = new ReachabilityCheck(target, this.probe && this.countedProbe, this.schedule, () => {
      if (conn.registration !== registration) return;
      registration.check = undefined;
      const network = this.networks.get(registration.chainId)!;
      this.log.info({ conn: conn.id, peer: formatKey(registration), listed: registration.listed }, 'address never echoed its probe');
      this.notify(registration.listed ? 'unreachable' : 'refused', registration, network.members.size, 'PROBE_UNANSWERED');
    });
    registration.check = check;
    check.start();
  }

  private readonly countedProbe: ProbeSender = (target, bytes) => {
    this.counters.probes++;
    try {
      this.probe!(target, bytes);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'probe sender failed');
    }
  };

  /** The token of a pending check, echoed over the connection that registered: the address receives. */
  private echo(conn: Connection, token: string): void {
    const registration = conn.registration;
    if (!registration?.check?.matches(token)) {
      // Not an error: a client echoes every probe that reaches it from our host, forged ones too.
      this.counters.echoesIgnored++;
      return;
    }
    registration.check.stop();
    registration.check = undefined;
    registration.reachable = true;
    const network = this.networks.get(registration.chainId)!;
    const holder = registration.listed ? undefined : network.members.get(registration.key);
    if (holder) {
      // The port answers to this connection now: the holder is stale (a node restarted before
      // its old connection died). It is closed; only a passed probe can do this. Unlisted
      // first, so its leaving hands the address to no other contender.
      network.members.delete(registration.key);
      holder.registration!.listed = false;
      this.counters.replaced++;
      this.notify('left', holder.registration!, network.members.size, 'ADDRESS_REPLACED');
      this.closeWith(holder, 'ADDRESS_REPLACED', `${formatKey(registration)} registered again on another connection that owns the port`);
    }
    if (!registration.listed) this.list(network, conn);
    this.log.info({ conn: conn.id, peer: formatKey(registration) }, 'address verified');
    this.notify('reachable', registration, network.members.size);
    this.send(conn, { type: 'registered', ...listed(registration) });
    this.changed(registration.chainId);
  }

  private list(network: Network, conn: Connection): void {
    const registration = conn.registration!;
    registration.listed = true;
    network.members.set(registration.key, conn);
    this.notify('joined', registration, network.members.size);
    this.log.info(
      { chainId: registration.chainId.slice(0, 12), peer: formatKey(registration), peers: network.members.size },
      'peer registered',
    );
    this.changed(registration.chainId);
  }

  /** `reason`: 'leave', 'closed', or the error code the connection was closed with. Only ever the connection's own registration. */
  private leave(conn: Connection, reason: string): void {
    const registration = conn.registration;
    if (!registration) return;
    conn.registration = undefined;
    registration.check?.stop();
    registration.check = undefined;
    const network = this.networks.get(registration.chainId);
    if (!network) return;
    network.registrants.delete(conn);
    if (registration.listed && network.members.get(registration.key) === conn) {
      network.members.delete(registration.key);
      registration.listed = false;
      this.notify(reason === 'HEARTBEAT_TIMEOUT' ? 'evicted' : 'left', registration, network.members.size, reason);
      // A contender from the same host takes the freed address (a node back behind a NAT that
      // probes cannot reach has no other way in); it is listed by its own verification state.
      const next = [...network.registrants].find((c) => !c.registration!.listed && c.registration!.key === registration.key);
      if (next) this.list(network, next);
    }
    if (network.registrants.size === 0) {
      clearTimeout(network.pushTimer);
      this.networks.delete(registration.chainId);
      return;
    }
    this.changed(registration.chainId);
  }

  private expire(conn: Connection): void {
    if (conn.closing) return;
    this.counters.evicted++;
    this.log.info({ conn: conn.id, peer: conn.registration ? formatKey(conn.registration) : undefined }, 'peer evicted: no heartbeat');
    this.closeWith(conn, 'HEARTBEAT_TIMEOUT', `nothing was received for ${this.options.ttlMs} ms`);
  }

  /** Called on every close, whatever the cause: the peer leaves at once. */
  private forget(conn: Connection): void {
    conn.closing = true;
    clearTimeout(conn.timer);
    this.connections.delete(conn);
    this.leave(conn, 'closed');
  }

  private notify(type: MembershipChange['type'], registration: Registration, peers: number, reason?: string): void {
    if (!this.onMembership) return;
    try {
      this.onMembership({ type, chainId: registration.chainId, peer: { ...registration.address }, peers, ...(reason ? { reason } : {}) });
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
    // One encoding, written to every registrant: the frame is shared, not copied per socket.
    const frame = this.listFrame(chainId, network);
    this.counters.pushes++;
    for (const conn of [...network.registrants]) this.write(conn, frame);
  }

  private listFrame(chainId: string, network: Network): Buffer {
    const peers = [...network.members.values()].map((c) => listed(c.registration!));
    return encodeMessage({ type: 'peers', chainId, peers, heartbeatMs: Math.floor(this.options.ttlMs / 3) });
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

function listed(registration: Registration): ListedPeer {
  return { host: registration.address.host, port: registration.address.port, reachable: registration.reachable };
}

function formatKey(registration: Registration): string {
  const { host, port } = registration.address;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
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
