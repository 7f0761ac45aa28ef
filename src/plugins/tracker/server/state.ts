import type { Socket } from 'node:net';
import type { PeerAddress } from '../../../kernel/index.js';
import { formatHostPort } from '../address.js';
import type { FrameDecoder } from '../framing.js';
import type { ListedPeer, TransportKind } from '../messages.js';
import type { ReachabilityCheck } from '../reachability.js';

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

/** The totals of `TrackerStatus`, shared by the rooms of the server that count them. */
export type ServerCounters = Pick<TrackerStatus, 'evicted' | 'dropped' | 'pushes' | 'echoesIgnored' | 'replaced' | 'probes'>;

export interface Registration {
  readonly chainId: string;
  readonly address: PeerAddress;
  readonly key: string;
  readonly transport: TransportKind;
  /** Holds its address in the network's list (otherwise it contends for it). */
  listed: boolean;
  reachable: boolean;
  check: ReachabilityCheck | undefined;
}

export interface Connection {
  readonly id: number;
  readonly socket: Socket;
  readonly decoder: FrameDecoder;
  readonly remoteHost: string;
  timer: NodeJS.Timeout | undefined;
  registration: Registration | undefined;
  closing: boolean;
}

export interface Network {
  /** Listed members by address key, in join order. */
  readonly members: Map<string, Connection>;
  /** Every registered connection, listed or contending: all of them get the pushes. */
  readonly registrants: Set<Connection>;
  pushTimer: NodeJS.Timeout | undefined;
  lastPush: number;
}

export function listed(registration: Registration): ListedPeer {
  return { host: registration.address.host, port: registration.address.port, reachable: registration.reachable };
}

/** `host:port`, `[v6]:port`: how a registration is named in the logs. */
export function describe(registration: Registration): string {
  return formatHostPort(registration.address);
}
