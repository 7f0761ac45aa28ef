import { pino } from 'pino';
import { UdpTransport } from '../../../src/plugins/transport-udp/index.js';
import { deadUdpAddress } from './loopback.js';
import { describeTransportCompliance } from '../../../src/testing/index.js';
import { vitestApi } from '../vitest-compliance.js';

const log = pino({ level: 'silent' });

describeTransportCompliance(vitestApi, 'udp', async () => ({
  a: new UdpTransport({}, log),
  b: new UdpTransport({}, log),
  create: (address) => new UdpTransport({ host: address.host, port: address.port }, log),
  deadAddress: deadUdpAddress,
}));
