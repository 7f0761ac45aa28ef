import type { Emit } from '../emit.js';
import { shortHash } from '../node-assembly.js';
import { formatHostPort, type MembershipChange } from '../../plugins/tracker/index.js';

/** One line per join, verification, leave and eviction. */
export function printMembership(emit: Emit, json: boolean, change: MembershipChange): void {
  const peer = formatHostPort(change.peer);
  if (json) {
    emit({
      event: change.type,
      chainId: change.chainId,
      peer,
      peers: change.peers,
      ...(change.reason ? { reason: change.reason } : {}),
    });
    return;
  }
  const why =
    (change.type === 'left' || change.type === 'refused') && change.reason && change.reason !== 'leave'
      ? ` (${describeReason(change.reason)})`
      : '';
  emit(
    `${change.type.padEnd(11)} ${peer}  network ${shortHash(change.chainId)}  ${change.peers} peer${change.peers === 1 ? '' : 's'}${why}`,
  );
}

export function printTrackerStarted(emit: Emit, json: boolean, address: { host: string; port: number }, ttlMs: number): void {
  const where = formatHostPort(address);
  if (json) emit({ event: 'started', address: where, host: address.host, port: address.port, ttlMs });
  else emit(`tracker listening on ${where} (peers silent for ${ttlMs} ms are evicted); Ctrl-C stops`);
}

export function printTrackerStopped(
  emit: Emit,
  json: boolean,
  signal: NodeJS.Signals,
  status: { peers: number; networks: number; evicted: number },
): void {
  if (json) emit({ event: 'stopped', signal, peers: status.peers, networks: status.networks, evicted: status.evicted });
  else emit(`stopped (${signal}): ${status.peers} peers in ${status.networks} network${status.networks === 1 ? '' : 's'} released`);
}

function describeReason(reason: string): string {
  switch (reason) {
    case 'closed':
      return 'connection closed';
    case 'ADDRESS_REPLACED':
      return 'registered again on a new connection that owns the port';
    case 'REREGISTERED':
      return 'registered under another address';
    case 'PROBE_UNANSWERED':
      return 'its address never echoed the probe; the member holding it stays';
    default:
      return reason;
  }
}
