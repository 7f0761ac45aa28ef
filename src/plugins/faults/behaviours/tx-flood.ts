import { txId } from '../../../kernel/index.js';
import { integer } from '../args.js';
import { knownTxs } from '../craft.js';
import type { FaultBehaviour } from '../types.js';

const TICK_MS = 20;

/**
 * Messages at RATE per second to each peer, each announcing transactions the peer already has:
 * cheap for the sender, and nothing in them is wrong but their number.
 */
export const txFlood: FaultBehaviour<number> = {
  name: 'tx-flood',
  group: 'tx',
  arg: 'RATE',
  summary: 'Sends RATE messages per second (default 5000) to each peer, each announcing transactions it already has.',
  honestReaction:
    'Fetches nothing it already has, and counts every message over its per-peer allowance (2,000/s, burst 4,000) as FLOOD (1 point each): the flooder is banned about 1.5 s into the flood.',
  codes: ['FLOOD'],
  bans: true,
  needs: ['network'],
  parse: integer('tx-flood', 'the rate in messages per second', 5000, 1, 100_000),
  install(ctx, rate) {
    let owed = 0;
    ctx.interval(TICK_MS, async () => {
      const peers = ctx.peers();
      if (!peers.length) return;
      const ids = (await knownTxs(ctx, 20)).map((tx) => txId(ctx.chain.chainId, tx));
      const bytes = Buffer.from(JSON.stringify(ids.length ? { t: 'inv', txs: ids } : { t: 'inv', blocks: [ctx.chain.tip().hash] }));
      owed += (rate * TICK_MS) / 1000;
      const count = Math.floor(owed);
      owed -= count;
      for (const peer of peers) for (let i = 0; i < count; i++) ctx.sendBytes(peer, bytes);
    });
  },
};
