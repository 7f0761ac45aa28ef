import { Lifecycle } from 'tsyringe';
import type { Plugin } from '../../kernel/index.js';
import { LOGGER, TRANSPORT } from '../../kernel/index.js';
import { UDP_TRANSPORT_OPTIONS, type UdpTransportOptions } from './options.js';
import { UdpTransport } from './udp-transport.js';

export { TransportError } from './errors.js';
export { decodeDatagram, encodeDataHeader, encodeNack, type DataHeader, type Datagram } from './frame.js';
export { UdpTransport } from './udp-transport.js';
export type { UdpTransportOptions } from './options.js';
export type { UdpTransportStats } from './stats.js';

/** The default transport, as in the original: one UDP socket, with fragmentation and selective re-request for large messages. */
export function udpTransport(options: UdpTransportOptions = {}): Plugin {
  return {
    name: 'transport-udp',
    provides: [TRANSPORT],
    needs: [LOGGER],
    register(container) {
      container.register(UDP_TRANSPORT_OPTIONS, { useValue: { ...options } });
      container.register(TRANSPORT, { useClass: UdpTransport }, { lifecycle: Lifecycle.ContainerScoped });
    },
  };
}
