import { noArg } from '../args.js';
import { randomHex } from '../rng.js';
import type { FaultBehaviour } from '../types.js';
import { inflatedClaim, inflatedStatus } from './claims.js';
import { ACT_MS } from './forged-blocks.js';

/** Announces blocks (and the work they would add) that it never serves, and answers no fetch at all. */
export const announceNoServe: FaultBehaviour<undefined> = {
  name: 'announce-no-serve',
  group: 'block',
  summary: 'Announces blocks it does not have and claims their work, then never answers a headers or blocks request.',
  honestReaction:
    'Asks for 4 s, then counts the peer as stalling (STALL, 10 points each time) and asks another peer; keeps its own tip and keeps serving others.',
  codes: ['STALL'],
  bans: false,
  needs: ['network'],
  parse: noArg('announce-no-serve'),
  install(ctx) {
    ctx.transport.onInbound((_from, m) => m.t === 'getheaders' || m.t === 'getblocks');
    ctx.transport.onOutbound((_to, m) => (m.t === 'status' || m.t === 'hello-ack' ? { ...m, ...inflatedClaim(ctx.chain, 2) } : undefined));
    ctx.everyPeer(ACT_MS, (peer) => {
      ctx.send(peer, inflatedStatus(ctx.chain, 2));
      ctx.send(peer, { t: 'inv', blocks: [randomHex(ctx.random, 32)] });
    });
  },
};
