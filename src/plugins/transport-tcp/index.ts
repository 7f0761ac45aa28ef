import { Lifecycle } from 'tsyringe';
import type { Plugin } from '../../kernel/index.js';
import { LOGGER, TRANSPORT } from '../../kernel/index.js';
import { TCP_TRANSPORT_OPTIONS, type TcpTransportOptions } from './options.js';
import { TcpTransport } from './tcp-transport.js';

export { TransportError } from './errors.js';
export { TcpTransport } from './tcp-transport.js';
export { FrameReader } from './frames.js';
export type { TcpTransportOptions, TcpTransportStats } from './options.js';

/** The transport contract over TCP: length-prefixed frames on one lazily opened connection per peer. */
export function tcpTransport(options: TcpTransportOptions = {}): Plugin {
  return {
    name: 'transport-tcp',
    provides: [TRANSPORT],
    needs: [LOGGER],
    register(container) {
      container.register(TCP_TRANSPORT_OPTIONS, { useValue: { ...options } });
      container.register(TRANSPORT, { useClass: TcpTransport }, { lifecycle: Lifecycle.ContainerScoped });
    },
  };
}
