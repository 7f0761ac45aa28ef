import { integer } from '../args.js';
import type { FaultContext } from '../context.js';
import type { FaultBehaviour } from '../types.js';

const EXCHANGE_MS = 2000;

/** Addresses nobody answers at: TEST-NET-3 (RFC 5737) and closed high loopback ports. */
function bogusAddress(random: () => number): { host: string; port: number } {
  return random() < 0.5
    ? { host: `203.0.113.${1 + Math.floor(random() * 254)}`, port: 1024 + Math.floor(random() * 60000) }
    : { host: '127.0.0.1', port: 61000 + Math.floor(random() * 4000) };
}

/**
 * N registrations of bogus ports wherever discovery registers this node (a tracker), through
 * the Discovery contract. The tracker never verifies a port nobody answers at, so these are
 * listed unreachable and no honest node greets them.
 */
function registerBogusPorts(ctx: FaultContext, count: number): void {
  const discovery = ctx.discovery;
  if (!discovery.advertise) return;
  const ports = Array.from({ length: count }, () => bogusAddress(ctx.random).port);
  ctx.onStop(discovery.advertise(ports));
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
  needs: ['network', 'discovery'],
  parse: integer('bogus-peers', 'the number of bogus tracker registrations', 20, 0, 1000),
  install(ctx, count) {
    registerBogusPorts(ctx, count);
    ctx.everyPeer(EXCHANGE_MS, (peer) =>
      ctx.send(peer, { t: 'peers', peers: Array.from({ length: 100 }, () => bogusAddress(ctx.random)) }),
    );
  },
};
