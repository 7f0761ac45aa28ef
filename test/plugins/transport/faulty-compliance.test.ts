import { pino } from 'pino';
import { FaultyTransport, seededRandom, type LinkFaults } from '../../../src/plugins/faults/index.js';
import { UdpTransport } from '../../../src/plugins/transport-udp/index.js';
import { describeTransportCompliance } from '../../../src/testing/index.js';
import { vitestApi } from '../vitest-compliance.js';
import { deadUdpAddress } from './loopback.js';

const log = pino({ level: 'silent' });

/** A faulty transport over UDP, its link set by `configure`; with nothing set it must be the transport it wraps. */
function faulty(configure: (link: LinkFaults, transport: FaultyTransport) => void, host?: string, port?: number): FaultyTransport {
  const transport = new FaultyTransport(new UdpTransport({ host, port }, log), seededRandom(7), log);
  configure(transport.link, transport);
  return transport;
}

function suite(name: string, configure: (link: LinkFaults, transport: FaultyTransport) => void): void {
  describeTransportCompliance(vitestApi, name, async () => ({
    a: faulty(configure),
    b: faulty(configure),
    create: (address) => faulty(configure, address.host, address.port),
    deadAddress: deadUdpAddress,
  }));
}

suite('faulty transport, faults off', () => {});

// Harmless: a partition from a peer nobody here talks to, and hooks that look at every
// protocol message and let it pass (the suite's messages are not protocol messages, so the
// hooks also prove that undecodable bytes go through untouched).
suite('faulty transport, a partition elsewhere and pass-through hooks', (link, transport) => {
  link.partition.add('203.0.113.1:9');
  transport.onInbound(() => false);
  transport.onOutbound(() => undefined);
});
