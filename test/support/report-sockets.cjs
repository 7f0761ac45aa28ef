// Preloaded with --require: every UDP socket or TCP server the process opens is reported on
// stderr, so a test can check that a command opened none.
const dgram = require('node:dgram');
const net = require('node:net');
const { syncBuiltinESMExports } = require('node:module');
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
