import 'reflect-metadata';
import type { Logger } from 'pino';
import { container as rootContainer, instanceCachingFactory, Lifecycle, type DependencyContainer } from 'tsyringe';
import type { ChainApp } from './app.js';
import { BlockRules, ChainEngine, DefaultOrphanPolicy, type ChainReader } from './chain/index.js';
import type { NodeConfig } from './config.js';
import { WiringError } from './errors.js';
import { NodeEvents } from './events.js';
import { createLogger } from './logger.js';
import { Mempool } from './mempool/index.js';
import { Miner } from './mining/index.js';
import { needsOf, orderPlugins, type Plugin } from './plugin.js';
import { chainIdOf, type ChainParams } from './params.js';
import { systemClock, type Clock, type Service, type Transport } from './services.js';
import { DEFAULT_PEER_BOOK, Network, type PeerPolicy } from './net/index.js';
import { StoreHealth } from './store/index.js';
import { TxRules } from './tx/index.js';
import {
  API,
  APPS,
  BLOCK_RULES,
  CHAIN,
  CHAIN_PARAMS,
  CHAIN_READER,
  CLOCK,
  CONFIG,
  EVENTS,
  LOGGER,
  MEMPOOL,
  MINER,
  NETWORK,
  ORPHAN_POLICY,
  PEER_POLICY,
  STORE_HEALTH,
  TRANSPORT,
  TX_RULES,
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
      needs: needsOf(StoreHealth),
      register: (c) => c.register(STORE_HEALTH, { useClass: StoreHealth }, { lifecycle: Lifecycle.ContainerScoped }),
    },
    {
      name: 'chain',
      provides: [CHAIN, CHAIN_READER],
      needs: needsOf(ChainEngine),
      register(c) {
        c.register(CHAIN, { useClass: ChainEngine }, { lifecycle: Lifecycle.ContainerScoped });
        c.register(CHAIN_READER, { useFactory: (r) => r.resolve<ChainEngine>(CHAIN).reader });
      },
    },
    // After the chain, so that a missing consensus is still reported as the chain's need.
    ...ruleDefaults(options.plugins),
    {
      name: 'mempool',
      provides: [MEMPOOL],
      needs: needsOf(Mempool),
      register: (c) => c.register(MEMPOOL, { useClass: Mempool }, { lifecycle: Lifecycle.ContainerScoped }),
    },
    ...(options.plugins.some((p) => p.provides.includes(TRANSPORT))
      ? [
          {
            name: 'network',
            provides: [NETWORK],
            needs: needsOf(Network),
            register: (c: DependencyContainer) => c.register(NETWORK, { useClass: Network }, { lifecycle: Lifecycle.ContainerScoped }),
          },
        ]
      : []),
    {
      name: 'miner',
      provides: [MINER],
      needs: needsOf(Miner),
      register: (c) => c.register(MINER, { useClass: Miner }, { lifecycle: Lifecycle.ContainerScoped }),
    },
  ];
}

/** The kernel's block rules, transaction rules, orphan and peer policies, for each that no plugin provides. */
function ruleDefaults(plugins: readonly Plugin[]): Plugin[] {
  const provided = (token: Token) => plugins.some((p) => p.provides.includes(token));
  const defaults: Plugin[] = [
    {
      name: 'tx-rules',
      provides: [TX_RULES],
      // Resolved inside a factory (TxRules takes the apps and a chain id, not tokens).
      needs: [APPS, CHAIN_PARAMS],
      register: (c) =>
        c.register(TX_RULES, {
          useFactory: instanceCachingFactory(
            (r) => new TxRules(r.resolve<ChainApp[]>(APPS), chainIdOf(r.resolve<ChainParams>(CHAIN_PARAMS))),
          ),
        }),
    },
    {
      name: 'block-rules',
      provides: [BLOCK_RULES],
      needs: needsOf(BlockRules),
      register: (c) => c.register(BLOCK_RULES, { useClass: BlockRules }, { lifecycle: Lifecycle.ContainerScoped }),
    },
    {
      name: 'orphan-policy',
      provides: [ORPHAN_POLICY],
      needs: needsOf(DefaultOrphanPolicy),
      register: (c) => c.register(ORPHAN_POLICY, { useClass: DefaultOrphanPolicy }, { lifecycle: Lifecycle.ContainerScoped }),
    },
    {
      name: 'peer-policy',
      provides: [PEER_POLICY],
      // The ban time is the node's `--ban-ms`; everything else is the kernel's default.
      needs: [CONFIG],
      register: (c) =>
        c.register(PEER_POLICY, {
          useFactory: instanceCachingFactory((r): PeerPolicy => ({ ...DEFAULT_PEER_BOOK, banMs: r.resolve<NodeConfig>(CONFIG).banMs })),
        }),
    },
  ];
  return defaults.filter((d) => !d.provides.some(provided));
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

  /** The chain, read-only. */
  get reader(): ChainReader {
    return this.resolve<ChainReader>(CHAIN_READER);
  }

  /** The rules transactions are judged by (the kernel's, or a plugin's). */
  get txRules(): TxRules {
    return this.resolve<TxRules>(TX_RULES);
  }

  /** The rules blocks are judged by (the kernel's, or a plugin's). */
  get blockRules(): BlockRules {
    return this.resolve<BlockRules>(BLOCK_RULES);
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
