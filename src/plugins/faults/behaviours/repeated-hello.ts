import { integer } from '../args.js';
import type { FaultBehaviour } from '../types.js';
import { inflatedStatus } from './claims.js';

const TICK_MS = 20;

export const repeatedHello: FaultBehaviour<number> = {
  name: 'repeated-hello',
  group: 'message',
  arg: 'RATE',
  summary: 'Repeats its (truthful) handshake RATE times per second (default 50) to every peer.',
  honestReaction:
    'Answers at most one hello per 250 ms (no amplification) and stays connected: a hello is legitimate, only its rate is not; past 2,000 messages/s it would count FLOOD.',
  codes: [],
  bans: false,
  needs: ['network'],
  parse: integer('repeated-hello', 'the rate in handshakes per second', 50, 1, 100_000),
  install(ctx, rate) {
    let owed = 0;
    ctx.interval(TICK_MS, () => {
      owed += (rate * TICK_MS) / 1000;
      const count = Math.floor(owed);
      owed -= count;
      for (const peer of ctx.peers()) for (let i = 0; i < count; i++) ctx.send(peer, inflatedStatus(ctx.chain, 0));
    });
  },
};
