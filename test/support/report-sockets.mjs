// Preloaded with --import: every UDP socket or TCP server the process opens is reported on
// stderr, so a test can check that a command opened none.
import dgram from 'node:dgram';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import process from 'node:process';

const createSocket = dgram.createSocket;
dgram.createSocket = (...args) => {
  process.stderr.write('opened a UDP socket\n');
  return createSocket(...args);
};
const createServer = net.createServer;
net.createServer = (...args) => {
  process.stderr.write('opened a TCP server\n');
  return createServer(...args);
};
syncBuiltinESMExports();
