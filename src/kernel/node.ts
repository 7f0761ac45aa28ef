import 'reflect-metadata';
import type { Logger } from 'pino';
import { container as rootContainer, Lifecycle, type DependencyContainer } from 'tsyringe';
import type { ChainApp } from './app.js';
import { ChainEngine } from './chain/index.js';
import type { NodeConfig } from './config.js';
import { WiringError } from './errors.js';
import { NodeEvents } from './events.js';
import { createLogger } from './logger.js';
import { Mempool } from './mempool/index.js';
import { Miner } from './mining/index.js';
import { orderPlugins, type Plugin } from './plugin.js';
import { chainIdOf, type ChainParams } from './params.js';
import { systemClock, type Clock, type Service, type Transport } from './services.js';
import { Network } from './net/index.js';
import { StoreHealth } from './store/index.js';
import {
  API,
  APPS,
  CHAIN,
  CHAIN_PARAMS,
  CLOCK,
  CONFIG,
  CONSENSUS,
  DISCOVERY,
  EVENTS,
  LOGGER,
  MEMPOOL,
  MINER,
  NETWORK,
  STORE,
  STORE_HEALTH,
  TRANSPORT,
  tokenName,
  type Token,
} from './tokens.js';

export interface NodeOptions {
  config: NodeConfig;
  params: ChainParams;
  /** Service plugins: at least a store and a consensus engine; transport and discovery for a network. */
  plugins: Plugin[];
  apps: ChainApp[];
  logger?: Logger;
  clock?: Clock;
}

/** The kernel's own services, wired through the same plugin contract as everything else. */
function kernelPlugins(options: NodeOptions, logger: Logger, events: NodeEvents): Plugin[] {
  return [
    {
      name: 'kernel',
      provides: [CONFIG, CHAIN_PARAMS, LOGGER, CLOCK, EVENTS, APPS],
      register(c) {
        c.register(CONFIG, { useValue: options.config });
        c.register(CHAIN_PARAMS, { useValue: options.params });
        c.register(LOGGER, { useValue: logger });
        c.register(CLOCK, { useValue: options.clock ?? systemClock });
        c.register(EVENTS, { useValue: events });
        c.register(APPS, { useValue: options.apps });
      },
    },
    {
      name: 'store-health',
      provides: [STORE_HEALTH],
      needs: [STORE, CONFIG, CLOCK, EVENTS, LOGGER],
      register: (c) => c.register(STORE_HEALTH, { useClass: StoreHealth }, { lifecycle: Lifecycle.ContainerScoped }),
    },
    {
      name: 'chain',
      provides: [CHAIN],
      needs: [STORE, STORE_HEALTH, CONSENSUS, APPS, CHAIN_PARAMS, CONFIG, CLOCK, LOGGER, EVENTS],
      register: (c) => c.register(CHAIN, { useClass: ChainEngine }, { lifecycle: Lifecycle.ContainerScoped }),
    },
    {
      name: 'mempool',
      provides: [MEMPOOL],
      needs: [CHAIN, STORE, STORE_HEALTH, CONFIG, EVENTS, CLOCK, LOGGER],
      register: (c) => c.register(MEMPOOL, { useClass: Mempool }, { lifecycle: Lifecycle.ContainerScoped }),
    },
    ...(options.plugins.some((p) => p.provides.includes(TRANSPORT))
      ? [
          {
            name: 'network',
            provides: [NETWORK],
            needs: [TRANSPORT, DISCOVERY, CHAIN, MEMPOOL, STORE, STORE_HEALTH, EVENTS, CLOCK, CONFIG, LOGGER],
            register: (c: DependencyContainer) => c.register(NETWORK, { useClass: Network }, { lifecycle: Lifecycle.ContainerScoped }),
          },
        ]
      : []),
    {
      name: 'miner',
      provides: [MINER],
      needs: [CHAIN, MEMPOOL, STORE_HEALTH, CONSENSUS, CONFIG, CLOCK, EVENTS, LOGGER],
      register: (c) => c.register(MINER, { useClass: Miner }, { lifecycle: Lifecycle.ContainerScoped }),
    },
  ];
}

/**
 * One node: its own tsyringe child container (several nodes can share a process), its plugins
 * started in dependency order and stopped in reverse.
 */
export class CairnNode {
  readonly container: DependencyContainer;
  readonly events = new NodeEvents();
  readonly log: Logger;
  readonly chainId: string;
  private readonly ordered: Plugin[];
  private started: Array<{ plugin: Plugin; service: Service }> = [];
  private state: 'new' | 'starting' | 'running' | 'stopped' = 'new';

  private constructor(readonly options: NodeOptions) {
    this.chainId = chainIdOf(options.params);
    this.log = options.logger ?? createLogger(options.config.logLevel);
    this.container = rootContainer.createChildContainer();
    this.ordered = orderPlugins([...kernelPlugins(options, this.log, this.events), ...options.plugins]);
    for (const plugin of this.ordered) plugin.register(this.container, { config: options.config, params: options.params });
  }

  /** Builds and wires a node; fails with a WiringError naming the plugin and token if anything is missing. */
  static create(options: NodeOptions): CairnNode {
    return new CairnNode(options);
  }

  get chain(): ChainEngine {
    return this.resolve<ChainEngine>(CHAIN);
  }

  get mempool(): Mempool {
    return this.resolve<Mempool>(MEMPOOL);
  }

  get miner(): Miner {
    return this.resolve<Miner>(MINER);
  }

  /** Whether the store takes writes (a full disk pauses them). */
  get storeHealth(): StoreHealth {
    return this.resolve<StoreHealth>(STORE_HEALTH);
  }

  /** The gossip layer; undefined for a node without a transport. */
  get network(): Network | undefined {
    return this.container.isRegistered(NETWORK, true) ? this.resolve<Network>(NETWORK) : undefined;
  }

  /** Where peers reach this node, or undefined for a node without a transport. */
  transportAddress(): string | undefined {
    if (!this.container.isRegistered(TRANSPORT, true)) return undefined;
    const { host, port } = this.resolve<Transport>(TRANSPORT).address;
    return `${host}:${port}`;
  }

  /** The HTTP API's URL, when an API plugin is running. */
  apiUrl(): string | undefined {
    if (!this.container.isRegistered(API, true)) return undefined;
    return this.resolve<{ address?: string }>(API).address;
  }

  resolve<T>(token: Token): T {
    const value = this.container.resolve<T>(token);
    if (value === undefined || value === null)
      throw new WiringError('WIRING_UNDEFINED', `${tokenName(token)} resolved to nothing`, { token: tokenName(token) });
    return value;
  }

  async start(): Promise<void> {
    if (this.state !== 'new') return;
    this.state = 'starting';
    try {
      // Resolve everything first: a wiring fault surfaces before any service has side effects.
      const services = this.ordered.map((plugin) => ({ plugin, services: plugin.provides.map((t) => this.resolve<Service>(t)) }));
      for (const { plugin, services: list } of services) {
        for (const service of list) {
          if (typeof service.start === 'function') await service.start();
          this.started.push({ plugin, service });
        }
      }
      this.state = 'running';
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    for (const { plugin, service } of this.started.reverse()) {
      try {
        if (typeof service.stop === 'function') await service.stop();
      } catch (err) {
        this.log.error({ plugin: plugin.name, err: (err as Error).message }, 'stop failed');
      }
    }
    this.started = [];
    this.container.clearInstances();
  }
}
