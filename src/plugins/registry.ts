import { PluginRegistry } from '../kernel/index.js';
import { powConsensus, type PowConsensusPluginOptions } from './consensus-pow/index.js';
import { levelStore, type LevelStoreOptions } from './store-level/index.js';
import { memoryStore, type MemoryStoreOptions } from './store-memory/index.js';
import { faults, type FaultsOptions } from './faults/index.js';
import { httpApi, type HttpApiOptions } from './http-api/index.js';
import { trackerDiscovery, type TrackerDiscoveryOptions } from './tracker/index.js';
import { tcpTransport, type TcpTransportOptions } from './transport-tcp/index.js';
import { udpTransport, type UdpTransportOptions } from './transport-udp/index.js';

/**
 * The plugins that ship with cairn, by the names commands and config files use. Each factory
 * validates its own options, so a bad value fails when the node is assembled, before it starts.
 * (transport-memory is not here: it needs a shared in-process hub, which only code can hand it.)
 */
export function builtinPlugins(): PluginRegistry {
  return new PluginRegistry()
    .add('consensus-pow', (options) => powConsensus(options as PowConsensusPluginOptions))
    .add('store-level', (options) => levelStore(options as LevelStoreOptions))
    .add('store-memory', (options) => memoryStore(options as MemoryStoreOptions))
    .add('transport-udp', (options) => udpTransport(options as UdpTransportOptions))
    .add('transport-tcp', (options) => tcpTransport(options as TcpTransportOptions))
    .add('tracker', (options) => trackerDiscovery(options as TrackerDiscoveryOptions))
    .add('http-api', (options) => httpApi(options as HttpApiOptions))
    .add('faults', (options) => faults(options as unknown as FaultsOptions));
}
