import type { Logger } from 'pino';
import { instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import {
  APPS,
  CHAIN,
  CLOCK,
  CONFIG,
  ConfigError,
  DISCOVERY,
  EVENTS,
  LOGGER,
  MEMPOOL,
  MINER,
  NETWORK,
  STORE,
  TRANSPORT,
  type ChainApp,
  type ChainEngine,
  type Clock,
  type Discovery,
  type Mempool,
  type Miner,
  type Network,
  type NodeConfig,
  type NodeEvents,
  type Plugin,
  type Service,
  type Store,
  type Token,
  type Transport,
} from '../../kernel/index.js';
import { faultCatalogue } from './app-faults.js';
import { FaultContext, type FaultServices } from './context.js';
import { FaultyStore } from './faulty-store.js';
import { FaultyTransport } from './faulty-transport.js';
import { findFault, formatFault, parseFaultSpec, resolveFaults, type ResolvedFault } from './registry.js';
import { seededRandom } from './rng.js';
import type { FaultNeed, FaultSpec } from './types.js';

/** The running faults of one node: resolve it to see what it does (`node.resolve(FAULTS)`). */
export const FAULTS = Symbol.for('cairn.faults');

export interface FaultsOptions {
  /** `{ name, arg }` or `NAME[=ARG]` strings, as `--fault` takes them. */
  faults: ReadonlyArray<FaultSpec | string>;
  /** Seeds every random choice of the faults, so a run replays (`--fault-seed`). Default: random, logged. */
  seed?: number;
}

/**
 * Makes a node misbehave on purpose, by named behaviour (`cairn faults list`). The transport and
 * the store are wrapped where a fault needs them: the real service is resolved while the node is
 * being wired and re-registered behind a wrapper under the same token, so the gossip layer, the
 * chain and discovery all use the wrapper without knowing it. Nothing else in the node changes.
 */
export function faults(options: FaultsOptions): Plugin {
  if (!options || !Array.isArray(options.faults) || options.faults.length === 0)
    throw new ConfigError('CONFIG_INVALID', 'the faults plugin needs at least one fault');
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new ConfigError('CONFIG_INVALID', `--fault-seed must be a whole number ≥ 0, not '${seed}'`);
  const specs = options.faults.map((f) => (typeof f === 'string' ? parseFaultSpec(f) : f));
  // The plugin's own faults are checked now; any other name may be an app's, known once the
  // node's apps are (at registration). App faults act on the network.
  const own = resolveFaults(specs.filter((s) => findFault(s.name)));
  const needs = new Set<FaultNeed>(own.flatMap((f) => f.behaviour.needs));
  if (own.length < specs.length) needs.add('network');
  const wrapTransport = needs.has('network') || needs.has('transport');
  const tokens: Token[] = [CHAIN, MEMPOOL, EVENTS, CLOCK, CONFIG, LOGGER, APPS];
  if (wrapTransport) tokens.push(TRANSPORT);
  if (needs.has('network')) tokens.push(NETWORK);
  if (needs.has('discovery')) tokens.push(DISCOVERY);
  if (needs.has('store')) tokens.push(STORE);
  if (needs.has('miner')) tokens.push(MINER);
  return {
    name: 'faults',
    provides: [FAULTS],
    needs: tokens,
    register(container) {
      const resolved = resolveFaults(specs, faultCatalogue(container.resolve<ChainApp[]>(APPS)));
      const random = seededRandom(seed);
      const log = container.resolve<Logger>(LOGGER).child({ plugin: 'faults' });
      let transport: FaultyTransport | undefined;
      let store: FaultyStore | undefined;
      if (wrapTransport) {
        transport = new FaultyTransport(container.resolve<Transport>(TRANSPORT), random, log);
        container.register(TRANSPORT, { useValue: transport });
      }
      if (needs.has('store')) {
        store = new FaultyStore(container.resolve<Store>(STORE));
        container.register(STORE, { useValue: store });
      }
      container.register(FAULTS, {
        useFactory: instanceCachingFactory(
          (c: DependencyContainer) =>
            new FaultRunner(resolved, seed, {
              chain: c.resolve<ChainEngine>(CHAIN),
              mempool: c.resolve<Mempool>(MEMPOOL),
              events: c.resolve<NodeEvents>(EVENTS),
              clock: c.resolve<Clock>(CLOCK),
              config: c.resolve<NodeConfig>(CONFIG),
              log,
              random,
              transport,
              store,
              network: needs.has('network') ? c.resolve<Network>(NETWORK) : undefined,
              discovery: needs.has('discovery') ? c.resolve<Discovery>(DISCOVERY) : undefined,
              miner: needs.has('miner') ? c.resolve<Miner>(MINER) : undefined,
            }),
        ),
      });
    },
  };
}

/** Installs each fault when the node starts (after the services it acts through) and undoes them at stop. */
export class FaultRunner implements Service {
  private contexts: FaultContext[] = [];

  constructor(
    readonly faults: readonly ResolvedFault[],
    readonly seed: number,
    private readonly services: FaultServices,
  ) {}

  /** `drop=0.2, bad-pow`: what this node does wrong. */
  get names(): string[] {
    return this.faults.map((f) => formatFault(f.spec));
  }

  get transport(): FaultyTransport | undefined {
    return this.services.transport;
  }

  start(): void {
    if (this.contexts.length) return;
    this.services.log.warn(
      { faults: this.names, seed: this.seed },
      `this node misbehaves on purpose (faults: ${this.names.join(', ')}; seed ${this.seed})`,
    );
    for (const fault of this.faults) {
      const ctx = new FaultContext(this.services, fault.behaviour.name);
      this.contexts.push(ctx);
      fault.behaviour.install(ctx, fault.value);
    }
  }

  stop(): void {
    for (const ctx of this.contexts.splice(0)) ctx.stop();
  }
}
