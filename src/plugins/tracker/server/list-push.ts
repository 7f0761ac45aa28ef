import { encodeMessage } from '../messages.js';
import type { Connections } from './connections.js';
import { listed, type Network, type ServerCounters } from './state.js';

/**
 * Who gets which list: every registrant of a network (contenders included) gets that
 * network's full list, encoded once, at most once per `minPushIntervalMs`. Writes go through
 * `Connections.write`, which drops a client that does not read instead of waiting for it.
 */
export class ListPusher {
  constructor(
    private readonly networks: ReadonlyMap<string, Network>,
    private readonly connections: Pick<Connections, 'write'>,
    private readonly timing: { minPushIntervalMs: number; ttlMs: number },
    private readonly counters: ServerCounters,
  ) {}

  /** Schedules a push of the network's list, at most one per `minPushIntervalMs`. */
  changed(chainId: string): void {
    const network = this.networks.get(chainId);
    if (!network || network.pushTimer) return;
    const wait = Math.max(0, network.lastPush + this.timing.minPushIntervalMs - Date.now());
    network.pushTimer = setTimeout(() => {
      network.pushTimer = undefined;
      network.lastPush = Date.now();
      this.push(chainId, network);
    }, wait);
  }

  /** The network's list as it is now, encoded as a `peers` frame. */
  listFrame(chainId: string, network: Network): Buffer {
    const peers = [...network.members.values()].map((c) => listed(c.registration!));
    return encodeMessage({ type: 'peers', chainId, peers, heartbeatMs: Math.floor(this.timing.ttlMs / 3) });
  }

  private push(chainId: string, network: Network): void {
    if (this.networks.get(chainId) !== network) return;
    // One encoding, written to every registrant: the frame is shared, not copied per socket.
    const frame = this.listFrame(chainId, network);
    this.counters.pushes++;
    for (const conn of [...network.registrants]) this.connections.write(conn, frame);
  }
}
