import { noArg } from '../args.js';
import { randomBytes } from '../rng.js';
import type { FaultBehaviour } from '../types.js';
import { ACT_MS } from './forged-blocks.js';

export const randomBytesFault: FaultBehaviour<undefined> = {
  name: 'random-bytes',
  group: 'message',
  summary: 'Sends messages of 1 to 2,048 random bytes.',
  honestReaction: 'Refuses each at the JSON parse (MSG_NOT_JSON, 20 points); bans the sender after five; keeps serving others.',
  codes: ['MSG_NOT_JSON'],
  bans: true,
  needs: ['network'],
  parse: noArg('random-bytes'),
  install(ctx) {
    ctx.everyPeer(ACT_MS / 3, (peer) => ctx.sendBytes(peer, randomBytes(ctx.random, 1 + Math.floor(ctx.random() * 2048))));
  },
};
