import { noArg } from '../args.js';
import { randomHex } from '../rng.js';
import type { FaultBehaviour } from '../types.js';
import { ACT_MS } from './forged-blocks.js';

/** Transactions that are not transactions: broken envelopes and payloads their app's schema refuses. */
export const malformedTx: FaultBehaviour<undefined> = {
  name: 'malformed-tx',
  group: 'tx',
  summary: 'Pushes transactions with broken envelopes (missing fields, wrong types) and payloads that fail their app’s schema.',
  honestReaction:
    'Refuses each before any signature check (TX_MALFORMED, TX_BAD_PAYLOAD or TX_UNKNOWN_TYPE, 20 points each); bans the sender after a few.',
  codes: ['TX_MALFORMED', 'TX_BAD_PAYLOAD'],
  bans: true,
  needs: ['network'],
  parse: noArg('malformed-tx'),
  install(ctx) {
    ctx.everyPeer(ACT_MS, (peer) => {
      const app = ctx.chain.reader.appIds()[0] ?? 'none';
      const type = Object.keys(ctx.chain.reader.app(app)?.tx ?? { none: 0 })[0]!;
      const sig = randomHex(ctx.random, 64);
      const from = randomHex(ctx.random, 32);
      ctx.send(peer, {
        t: 'txs',
        txs: [
          { app, type, payload: {} },
          'not a transaction',
          { app, type, payload: { ['x'.repeat(8)]: [1, 2, 3] }, from, nonce: -1, sig },
          { app, type, payload: { ['x'.repeat(8)]: [1, 2, 3] }, from, nonce: 1, sig },
        ],
      });
    });
  },
};
