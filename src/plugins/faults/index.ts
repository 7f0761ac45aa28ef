// The faults plugin's front door: a node that misbehaves on purpose, by named behaviour.
export { faultCatalogue, fromAppFault } from './app-faults.js';
export { appFaultContext } from './app-fault-context.js';
export { FaultContext, type FaultServices, type Peer } from './context.js';
export { FaultError } from './errors.js';
export { FaultyStore, type BatchHook } from './faulty-store.js';
export { FaultyTransport, type FaultyTransportStats, type InboundHook, type LinkFaults, type OutboundHook } from './faulty-transport.js';
export { FAULTS, FaultRunner, faults, type FaultsOptions } from './plugin.js';
export { FAULT_BEHAVIOURS, faultNames, findFault, formatFault, parseFaultSpec, resolveFaults, type ResolvedFault } from './registry.js';
export { seededRandom } from './rng.js';
export type { FaultBehaviour, FaultGroup, FaultNeed, FaultSpec } from './types.js';
