import type { Logger } from 'pino';
import { instanceCachingFactory } from 'tsyringe';
import {
  badPort,
  API,
  CHAIN_READER,
  CONFIG,
  ConfigError,
  EVENTS,
  LOGGER,
  MEMPOOL,
  NETWORK,
  STORE_HEALTH,
  type ChainReader,
  type Mempool,
  type Network,
  type NodeConfig,
  type NodeEvents,
  type Plugin,
  type StoreHealth,
} from '../../kernel/index.js';
import { HttpApi, isLoopback } from './server.js';

export interface HttpApiOptions {
  /** Port on the loopback address; else the node config's `apiPort`, else 0 (a free one). */
  port?: number;
  /** A loopback address: read routes are open, so the API is never exposed beyond this machine. */
  host?: string;
}

/** The node API (`GET /status`, `POST /tx`, ...): Fastify on 127.0.0.1 with a cookie token for writes. */
export function httpApi(options: HttpApiOptions = {}): Plugin {
  const { port, host = '127.0.0.1' } = options;
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new ConfigError('CONFIG_INVALID', badPort('--api-port', port));
  }
  if (!isLoopback(host)) throw new ConfigError('CONFIG_INVALID', `the node API binds only to a loopback address, not '${host}'`);
  return {
    name: 'http-api',
    provides: [API],
    needs: [CHAIN_READER, MEMPOOL, STORE_HEALTH, CONFIG, LOGGER, EVENTS],
    register(container, { config }) {
      container.register(API, {
        // The closure caches one server per registration, i.e. per node container.
        useFactory: instanceCachingFactory(
          (c) =>
            new HttpApi({
              chain: c.resolve<ChainReader>(CHAIN_READER),
              mempool: c.resolve<Mempool>(MEMPOOL),
              storeHealth: c.resolve<StoreHealth>(STORE_HEALTH),
              config: c.resolve<NodeConfig>(CONFIG),
              log: c.resolve<Logger>(LOGGER),
              events: c.resolve<NodeEvents>(EVENTS),
              // The network is optional: a node without a transport still serves its chain.
              network: c.isRegistered(NETWORK, true) ? c.resolve<Network>(NETWORK) : undefined,
              port: port ?? config.apiPort ?? 0,
              host,
            }),
        ),
      });
    },
  };
}
