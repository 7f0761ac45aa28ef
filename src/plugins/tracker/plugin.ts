import type { Logger } from 'pino';
import { instanceCachingFactory } from 'tsyringe';
import { ConfigError } from '../../kernel/index.js';
import { chainIdOf } from '../../kernel/index.js';
import type { Plugin } from '../../kernel/index.js';
import type { Transport } from '../../kernel/index.js';
import { DISCOVERY, LOGGER, TRANSPORT } from '../../kernel/index.js';
import { parseHostPort } from './address.js';
import { TrackerClient } from './client.js';

export interface TrackerDiscoveryOptions {
  /** `HOST:PORT` of the tracker; without it discovery uses only static and exchanged peers. */
  tracker?: string;
  /** `HOST:PORT` of peers to use whatever the tracker says (`--peer`, repeatable). */
  peers?: string[];
  ttlMs?: number;
  /** The node's transport kind, which the tracker probes over; default: the node config's `transport` (udp unless tcp). */
  transport?: 'udp' | 'tcp';
}

/**
 * Discovery through a tracker plus static peers and peer exchange. Addresses are parsed here,
 * when flags are read, so a typo fails before the node starts.
 */
export function trackerDiscovery(options: TrackerDiscoveryOptions = {}): Plugin {
  if (options.tracker !== undefined && typeof options.tracker !== 'string') {
    throw new ConfigError('CONFIG_INVALID', '--tracker must be a HOST:PORT address');
  }
  if (options.peers !== undefined && !Array.isArray(options.peers))
    throw new ConfigError('CONFIG_INVALID', '--peer must be a list of HOST:PORT addresses');
  const ttlMs = options.ttlMs;
  if (ttlMs !== undefined && !(typeof ttlMs === 'number' && Number.isInteger(ttlMs) && ttlMs >= 30 && ttlMs <= 3_600_000)) {
    throw new ConfigError('CONFIG_INVALID', '--tracker-ttl must be a whole number of milliseconds from 30 to 3600000');
  }
  const tracker = options.tracker === undefined ? undefined : parseHostPort(options.tracker);
  const peers = (options.peers ?? []).map((peer) => parseHostPort(peer));
  return {
    name: 'tracker',
    provides: [DISCOVERY],
    needs: [TRANSPORT, LOGGER],
    register(container, { params, config }) {
      // CHAIN_PARAMS is registered by the kernel, but the chain id is fixed by the params we
      // are given here, so nothing is resolved before start.
      const chainId = chainIdOf(params);
      const transport = options.transport ?? (config?.transport === 'tcp' ? 'tcp' : 'udp');
      container.register(DISCOVERY, {
        // The closure caches one client per registration, i.e. per node container.
        useFactory: instanceCachingFactory(
          (c) =>
            new TrackerClient({
              chainId,
              tracker,
              peers,
              ttlMs,
              transport,
              // Read at start: a transport bound to port 0 knows its port only then.
              localAddress: () => c.resolve<Transport>(TRANSPORT).address,
              logger: c.resolve<Logger>(LOGGER).child({ plugin: 'tracker' }),
            }),
        ),
      });
    },
  };
}
