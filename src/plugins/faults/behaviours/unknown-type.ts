import { noArg } from '../args.js';
import type { FaultBehaviour } from '../types.js';
import { ACT_MS } from './forged-blocks.js';

const TYPES = ['gimme', 'HELLO', 'blocks2', '', '__proto__x'];

export const unknownType: FaultBehaviour<undefined> = {
  name: 'unknown-type',
  group: 'message',
  summary: 'Sends well-formed JSON messages of types the protocol does not have.',
  honestReaction: 'Refuses each before using any field (MSG_UNKNOWN_TYPE, 20 points); bans the sender after five.',
  codes: ['MSG_UNKNOWN_TYPE'],
  bans: true,
  needs: ['network'],
  parse: noArg('unknown-type'),
  install(ctx) {
    let i = 0;
    ctx.everyPeer(ACT_MS / 2, (peer) => ctx.send(peer, { t: TYPES[i++ % TYPES.length]!, blocks: [ctx.chain.tip().hash] }));
  },
};
