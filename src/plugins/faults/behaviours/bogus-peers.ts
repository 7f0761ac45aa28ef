import { connect, type Socket } from 'node:net';
import { encodeMessage, parseHostPort, TRACKER_PROTOCOL_VERSION } from '../../tracker/index.js';
import { integer } from '../args.js';
import type { FaultContext } from '../context.js';
import type { FaultBehaviour } from '../types.js';

const EXCHANGE_MS = 2000;
const HEARTBEAT_MS = 4000;

/** Addresses nobody answers at: TEST-NET-3 (RFC 5737) and closed high loopback ports. */
function bogusAddress(random: () => number): { host: string; port: number } {
  return random() < 0.5
    ? { host: `203.0.113.${1 + Math.floor(random() * 254)}`, port: 1024 + Math.floor(random() * 60000) }
    : { host: '127.0.0.1', port: 61000 + Math.floor(random() * 4000) };
}

/**
 * N connections to the tracker, each registering a bogus port, kept alive by heartbeats. The
 * tracker lists a registration under the connection's own host and never verifies a port
 * nobody answers at, so these are listed unreachable and no honest node greets them.
 */
function registerAtTracker(ctx: FaultContext, count: number): void {
  const tracker = ctx.services.config.tracker;
  if (!tracker) return;
  const address = parseHostPort(tracker);
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i++) {
    const socket = connect(address);
    socket.on('error', () => undefined);
    socket.once('connect', () =>
      socket.write(
        encodeMessage({
          type: 'register',
          version: TRACKER_PROTOCOL_VERSION,
          chainId: ctx.chain.chainId,
          port: bogusAddress(ctx.random).port,
        }),
      ),
    );
    // Whatever the tracker pushes is read and thrown away, so it never has to buffer for us.
    socket.on('data', () => undefined);
    sockets.push(socket);
  }
  ctx.interval(HEARTBEAT_MS, () => {
    for (const s of sockets) if (!s.destroyed) s.write(encodeMessage({ type: 'heartbeat' }));
  });
  ctx.onStop(() => sockets.forEach((s) => s.destroy()));
}

export const bogusPeers: FaultBehaviour<number> = {
  name: 'bogus-peers',
  group: 'message',
  arg: 'N',
  summary:
    'Fills peer lists with addresses nobody answers at: 100 per peer-exchange message every 2 s, and N (default 20) bogus registrations at the tracker.',
  honestReaction:
    'Treats lists as hints: greets each address, never counts one ready that has not answered with a hello for its chain, keeps at most 1,000 exchanged addresses and 512 peer records, and forgets the silent ones; honest peers stay connected.',
  codes: [],
  bans: false,
  needs: ['network'],
  parse: integer('bogus-peers', 'the number of bogus tracker registrations', 20, 0, 1000),
  install(ctx, count) {
    registerAtTracker(ctx, count);
    ctx.everyPeer(EXCHANGE_MS, (peer) =>
      ctx.send(peer, { t: 'peers', peers: Array.from({ length: 100 }, () => bogusAddress(ctx.random)) }),
    );
  },
};
