import { Lifecycle } from 'tsyringe';
import type { Plugin } from '../../kernel/index.js';
import { LOGGER, TRANSPORT } from '../../kernel/index.js';
import { MEMORY_TRANSPORT_OPTIONS, MemoryTransport, type MemoryTransportOptions } from './memory-transport.js';

export { TransportError } from './errors.js';
export { MemoryNetwork, type LinkConditions, type MemoryNetworkOptions, type MemoryNetworkStats } from './memory-network.js';
export { MemoryTransport, type MemoryTransportOptions } from './memory-transport.js';

/** An in-process transport on a shared `MemoryNetwork` hub, for deterministic tests and simulation. */
export function memoryTransport(options: MemoryTransportOptions): Plugin {
  return {
    name: 'transport-memory',
    provides: [TRANSPORT],
    needs: [LOGGER],
    register(container) {
      container.register(MEMORY_TRANSPORT_OPTIONS, { useValue: { ...options } });
      container.register(TRANSPORT, { useClass: MemoryTransport }, { lifecycle: Lifecycle.ContainerScoped });
    },
  };
}
