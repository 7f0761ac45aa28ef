import { noArg } from '../args.js';
import { randomHex } from '../rng.js';
import type { FaultBehaviour } from '../types.js';
import { inflatedStatus } from './claims.js';
import { ACT_MS } from './forged-blocks.js';

export const wrongChain: FaultBehaviour<undefined> = {
  name: 'wrong-chain',
  group: 'message',
  summary: 'Sends handshakes that name another chain id.',
  honestReaction: 'Drops the peer at once and keeps it away (WRONG_CHAIN, banned on the first).',
  codes: ['WRONG_CHAIN'],
  bans: true,
  needs: ['network'],
  parse: noArg('wrong-chain'),
  install(ctx) {
    ctx.everyPeer(ACT_MS, (peer) => ctx.send(peer, { ...inflatedStatus(ctx.chain, 0), chainId: randomHex(ctx.random, 32) }));
  },
};
