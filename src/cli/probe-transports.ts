import type { Logger } from 'pino';
import type { ProbeTransportFactory } from '../plugins/tracker/index.js';
import { TcpTransport } from '../plugins/transport-tcp/index.js';
import { UdpTransport } from '../plugins/transport-udp/index.js';

/**
 * The transports a tracker probes with: cairn's own, so a probe arrives framed exactly like
 * gossip. UDP needs room for one probe only; a TCP probe transport dials one connection.
 */
export const openProbeTransport: ProbeTransportFactory = (kind, host, log: Logger) =>
  kind === 'tcp'
    ? new TcpTransport({ host, port: 0, maxConnections: 1, helloTimeoutMs: 1000 }, log)
    : new UdpTransport({ host, port: 0, maxMessageBytes: 1024 }, log);
