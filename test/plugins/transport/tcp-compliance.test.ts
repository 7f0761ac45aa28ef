import net from 'node:net';
import { pino } from 'pino';
import type { PeerAddress } from '../../../src/kernel/services.js';
import { TcpTransport } from '../../../src/plugins/transport-tcp/index.js';
import { describeTransportCompliance } from '../../../src/testing/index.js';
import { vitestApi } from '../vitest-compliance.js';

const log = pino({ level: 'silent' });

async function deadTcpAddress(): Promise<PeerAddress> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { host: '127.0.0.1', port };
}

describeTransportCompliance(vitestApi, 'tcp', async () => ({
  a: new TcpTransport({}, log),
  b: new TcpTransport({}, log),
  create: (address) => new TcpTransport({ host: address.host, port: address.port }, log),
  deadAddress: deadTcpAddress,
}));
