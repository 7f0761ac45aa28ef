import type { Logger } from 'pino';
import type { PeerAddress } from '../../../kernel/index.js';
import { addressKey, isReachableHost, type ListedPeer, type RegisterMessage } from '../messages.js';
import type { Connections } from './connections.js';
import type { ListPusher } from './list-push.js';
import type { Probes } from './probes.js';
import {
  describe,
  listed,
  type Connection,
  type MembershipChange,
  type Network,
  type Registration,
  type ServerCounters,
  type TrackerStatus,
} from './state.js';

/** What membership uses of the other rooms of the server. */
export interface MembershipRooms {
  networks: Map<string, Network>;
  connections: Pick<Connections, 'send' | 'write' | 'closeWith'>;
  pusher: Pick<ListPusher, 'changed' | 'listFrame'>;
  probes: Probes;
  counters: ServerCounters;
  log: Logger;
  maxPeersPerNetwork: number;
  onMembership: ((change: MembershipChange) => void) | undefined;
}

/** The member counts of `TrackerStatus`. */
export type MembershipTally = Pick<TrackerStatus, 'networks' | 'peers' | 'reachable' | 'contenders' | 'byNetwork'>;

/**
 * Registrations by network and source address. A registration is listed under its
 * connection's source host; one of an address another connection holds contends for it and
 * takes it only by passing the probe, or when the holder goes. A connection only ever removes
 * its own registration.
 */
export class Membership {
  private readonly networks: Map<string, Network>;

  constructor(private readonly rooms: MembershipRooms) {
    this.networks = rooms.networks;
  }

  register(conn: Connection, message: RegisterMessage): void {
    // The only host the tracker can check is the one the connection comes from; behind a NAT
    // that is the NAT's public address, which is what the others must dial anyway.
    const host = conn.remoteHost;
    if (!isReachableHost(host)) {
      this.rooms.connections.closeWith(conn, 'ADDRESS_INVALID', `'${host}' is not an address other peers can reach`);
      return;
    }
    const transport = message.transport ?? 'udp';
    const address = { host, port: message.port };
    const key = addressKey(address);
    const current = conn.registration;
    if (current && current.chainId === message.chainId && current.key === key && current.transport === transport) {
      this.rooms.connections.send(conn, { type: 'registered', ...listed(current) });
      return;
    }
    if (current) this.leave(conn, 'REREGISTERED');
    const network = this.networkFor(conn, message.chainId);
    if (!network) return;
    this.join(conn, network, { chainId: message.chainId, address, key, transport, listed: false, reachable: false, check: undefined });
  }

  /** The token of a pending check, echoed over the connection that registered: the address receives. */
  echo(conn: Connection, token: string): void {
    const registration = conn.registration;
    if (!this.rooms.probes.confirm(registration, token)) return;
    const network = this.networks.get(registration.chainId)!;
    if (!registration.listed) this.replaceHolder(network, registration);
    if (!registration.listed) this.list(network, conn);
    this.rooms.log.info({ conn: conn.id, peer: describe(registration) }, 'address verified');
    this.notify('reachable', registration, network.members.size);
    this.rooms.connections.send(conn, { type: 'registered', ...listed(registration) });
    this.rooms.pusher.changed(registration.chainId);
  }

  /** `reason`: 'leave', 'closed', or the error code the connection was closed with. Only ever the connection's own registration. */
  leave(conn: Connection, reason: string): void {
    const registration = conn.registration;
    if (!registration) return;
    conn.registration = undefined;
    this.rooms.probes.stop(registration);
    const network = this.networks.get(registration.chainId);
    if (!network) return;
    network.registrants.delete(conn);
    if (registration.listed && network.members.get(registration.key) === conn) this.unlist(network, registration, reason);
    if (network.registrants.size === 0) {
      clearTimeout(network.pushTimer);
      this.networks.delete(registration.chainId);
      return;
    }
    this.rooms.pusher.changed(registration.chainId);
  }

  /** The listed members of a network, in join order. */
  members(chainId: string): ListedPeer[] {
    return [...(this.networks.get(chainId)?.members.values() ?? [])].map((c) => listed(c.registration!));
  }

  tally(): MembershipTally {
    const tally: MembershipTally = { networks: this.networks.size, peers: 0, reachable: 0, contenders: 0, byNetwork: {} };
    for (const [chainId, network] of this.networks) {
      tally.byNetwork[chainId] = network.members.size;
      tally.peers += network.members.size;
      tally.contenders += network.registrants.size - network.members.size;
      for (const conn of network.members.values()) if (conn.registration!.reachable) tally.reachable++;
    }
    return tally;
  }

  /** Forgets every network, its pending push and its checks (the tracker is stopping). */
  clear(): void {
    for (const network of this.networks.values()) {
      clearTimeout(network.pushTimer);
      for (const conn of network.registrants) conn.registration?.check?.stop();
    }
    this.networks.clear();
  }

  private networkFor(conn: Connection, chainId: string): Network | undefined {
    const network = this.networks.get(chainId);
    if (network && network.registrants.size >= this.rooms.maxPeersPerNetwork) {
      this.rooms.connections.closeWith(
        conn,
        'NETWORK_FULL',
        `network ${chainId.slice(0, 12)} already has ${network.registrants.size} peers`,
      );
      return undefined;
    }
    if (network) return network;
    const created: Network = { members: new Map(), registrants: new Set(), pushTimer: undefined, lastPush: 0 };
    this.networks.set(chainId, created);
    return created;
  }

  private join(conn: Connection, network: Network, registration: Registration): void {
    conn.registration = registration;
    network.registrants.add(conn);
    if (network.members.has(registration.key)) {
      // Held by another connection from this host: usually the same node back before its old
      // connection was noticed dead, or a co-hosted process claiming its port. Only the probe
      // tells them apart; until it passes, the holder keeps the address.
      const { host, port } = registration.address;
      this.rooms.log.info({ conn: conn.id, peer: `${host}:${port}` }, 'address already held: probing before it changes hands');
      // The list did not change, so no push is due; the contender still gets to know the network.
      this.rooms.connections.write(conn, this.rooms.pusher.listFrame(registration.chainId, network));
    } else {
      this.list(network, conn);
    }
    this.rooms.connections.send(conn, { type: 'registered', ...listed(registration) });
    this.verify(conn, registration);
  }

  private verify(conn: Connection, registration: Registration): void {
    this.rooms.probes.start(registration, () => {
      if (conn.registration !== registration) return;
      registration.check = undefined;
      const network = this.networks.get(registration.chainId)!;
      this.rooms.log.info({ conn: conn.id, peer: describe(registration), listed: registration.listed }, 'address never echoed its probe');
      this.notify(registration.listed ? 'unreachable' : 'refused', registration, network.members.size, 'PROBE_UNANSWERED');
    });
  }

  /**
   * The port answers to this contender now: the holder is stale (a node restarted before its
   * old connection died) and is closed; only a passed probe can do this. Unlisted first, so its
   * leaving hands the address to no other contender.
   */
  private replaceHolder(network: Network, registration: Registration): void {
    const holder = network.members.get(registration.key);
    if (!holder) return;
    network.members.delete(registration.key);
    holder.registration!.listed = false;
    this.rooms.counters.replaced++;
    this.notify('left', holder.registration!, network.members.size, 'ADDRESS_REPLACED');
    this.rooms.connections.closeWith(
      holder,
      'ADDRESS_REPLACED',
      `${describe(registration)} registered again on another connection that owns the port`,
    );
  }

  private list(network: Network, conn: Connection): void {
    const registration = conn.registration!;
    registration.listed = true;
    network.members.set(registration.key, conn);
    this.notify('joined', registration, network.members.size);
    this.rooms.log.info(
      { chainId: registration.chainId.slice(0, 12), peer: describe(registration), peers: network.members.size },
      'peer registered',
    );
    this.rooms.pusher.changed(registration.chainId);
  }

  private unlist(network: Network, registration: Registration, reason: string): void {
    network.members.delete(registration.key);
    registration.listed = false;
    this.notify(reason === 'HEARTBEAT_TIMEOUT' ? 'evicted' : 'left', registration, network.members.size, reason);
    this.rooms.log.info(
      { chainId: registration.chainId.slice(0, 12), peer: describe(registration), peers: network.members.size, reason },
      'peer left',
    );
    // A contender from the same host takes the freed address (a node back behind a NAT that
    // probes cannot reach has no other way in); it is listed by its own verification state.
    const next = [...network.registrants].find((c) => !c.registration!.listed && c.registration!.key === registration.key);
    if (next) this.list(network, next);
  }

  private notify(type: MembershipChange['type'], registration: Registration, peers: number, reason?: string): void {
    const listener = this.rooms.onMembership;
    if (!listener) return;
    const peer: PeerAddress = { ...registration.address };
    try {
      listener({ type, chainId: registration.chainId, peer, peers, ...(reason ? { reason } : {}) });
    } catch (err) {
      this.rooms.log.error({ err: (err as Error).message }, 'membership listener failed');
    }
  }
}
