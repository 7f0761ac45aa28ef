import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { pino, type Logger } from 'pino';
import type { PeerAddress } from '../../kernel/index.js';
import { TrackerError } from './errors.js';
import type { ListedPeer, TrackerMessage } from './messages.js';
import { Connections } from './server/connections.js';
import { ListPusher } from './server/list-push.js';
import { listen } from './server/listen.js';
import { Membership } from './server/membership.js';
import { resolveLimits, type ServerLimits, type TrackerServerOptions } from './server/options.js';
import { Probes, resolveSchedule } from './server/probes.js';
import type { Connection, Network, ServerCounters, TrackerStatus } from './server/state.js';

export type { TrackerServerOptions } from './server/options.js';
export type { MembershipChange, TrackerStatus } from './server/state.js';

/**
 * The rendezvous point of a network: peers register the port of their transport under a chain
 * id and get the full member list of that network pushed to them whenever it changes.
 *
 * Identity: a registration's address is the connection's source host with the announced port;
 * the tracker never takes a host from a message. Before a member is listed as reachable its
 * address must echo a probe. Only a connection from the same source host that passes the probe
 * can take over an address another connection holds, and a connection can only ever remove its
 * own registration, so nobody can evict, replace or list someone else.
 *
 * This class composes the rooms in ./server: connections (framing, liveness, writes),
 * membership, probes and list pushes.
 */
export class TrackerServer {
  private readonly limits: ServerLimits;
  private readonly hasProbe: boolean;
  private readonly log: Logger;
  private readonly counters: ServerCounters = { evicted: 0, dropped: 0, pushes: 0, echoesIgnored: 0, replaced: 0, probes: 0 };
  private readonly connections: Connections;
  private readonly membership: Membership;
  private server: Server | undefined;
  private stopping: Promise<void> | undefined;

  constructor(options: TrackerServerOptions = {}) {
    this.limits = resolveLimits(options);
    const schedule = resolveSchedule(options.probeSchedule);
    this.hasProbe = options.probe !== undefined;
    this.log = options.logger ?? pino({ level: 'silent' });
    this.connections = new Connections(this.limits, this.counters, this.log, {
      message: (conn, message) => this.handle(conn, message),
      leave: (conn, reason) => this.membership.leave(conn, reason),
    });
    const networks = new Map<string, Network>();
    this.membership = new Membership({
      networks,
      connections: this.connections,
      pusher: new ListPusher(networks, this.connections, this.limits, this.counters),
      probes: new Probes(options.probe, schedule, this.counters, this.log),
      counters: this.counters,
      log: this.log,
      maxPeersPerNetwork: this.limits.maxPeersPerNetwork,
      onMembership: options.onMembership,
    });
  }

  /** Binds and resolves with the address actually bound (port 0 picks a free port). */
  async start(): Promise<PeerAddress> {
    if (this.stopping) throw new TrackerError('TRACKER_STOPPED', 'this tracker was stopped; create a new one to listen again');
    if (this.server) return this.address();
    const server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server = server;
    await listen(server, this.limits.host, this.limits.port).catch((err: unknown) => {
      this.server = undefined;
      throw err;
    });
    server.on('error', (err) => this.log.error({ err: err.message }, 'tracker server error'));
    const address = this.address();
    this.log.info({ host: address.host, port: address.port, ttlMs: this.limits.ttlMs }, 'tracker listening');
    if (!this.hasProbe) this.log.warn('no probe sender: registrations cannot be verified and every member is listed unreachable');
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
    const { networks, peers, reachable, contenders, byNetwork } = this.membership.tally();
    return {
      listening: this.server?.listening ?? false,
      connections: this.connections.size,
      networks,
      peers,
      reachable,
      contenders,
      byNetwork,
      ...this.counters,
    };
  }

  /** The listed members of a network, in join order. */
  members(chainId: string): ListedPeer[] {
    return this.membership.members(chainId);
  }

  private async shutdown(): Promise<void> {
    const server = this.server;
    this.membership.clear();
    this.connections.destroyAll();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }

  private accept(socket: Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    this.connections.accept(socket);
  }

  private handle(conn: Connection, message: TrackerMessage): void {
    switch (message.type) {
      case 'register':
        this.membership.register(conn, message);
        return;
      case 'echo':
        this.membership.echo(conn, message.token);
        return;
      case 'heartbeat':
        this.connections.send(conn, { type: 'heartbeat' });
        return;
      case 'leave':
        this.membership.leave(conn, 'leave');
        return;
      default:
        this.connections.closeWith(conn, 'MESSAGE_UNEXPECTED', `a client may not send '${message.type}' messages`);
    }
  }
}
