import { noArg } from '../args.js';
import type { FaultBehaviour } from '../types.js';
import { inflatedStatus } from './claims.js';
import { ACT_MS } from './forged-blocks.js';

export const truncated: FaultBehaviour<undefined> = {
  name: 'truncated',
  group: 'message',
  summary: 'Sends real protocol messages (its hello, its tip block) cut short at a random byte.',
  honestReaction: 'Refuses each at the JSON parse (MSG_NOT_JSON, 20 points); bans the sender after five.',
  codes: ['MSG_NOT_JSON'],
  bans: true,
  needs: ['network'],
  parse: noArg('truncated'),
  install(ctx) {
    ctx.everyPeer(ACT_MS / 3, async (peer) => {
      const tip = await ctx.chain.block(ctx.chain.tip().hash);
      const whole = Buffer.from(JSON.stringify(ctx.random() < 0.5 || !tip ? inflatedStatus(ctx.chain, 0) : { t: 'blocks', blocks: [tip] }));
      ctx.sendBytes(peer, whole.subarray(0, 1 + Math.floor(ctx.random() * (whole.length - 1))));
    });
  },
};
