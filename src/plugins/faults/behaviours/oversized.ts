import { MAX_TX_BYTES } from '../../../kernel/index.js';
import { noArg } from '../args.js';
import { FaultKey } from '../craft.js';
import { randomHex } from '../rng.js';
import type { FaultBehaviour } from '../types.js';
import { ACT_MS } from './forged-blocks.js';

/** The protocol's bounds: inventory lists hold at most 1,000 hashes. */
const INV_HASHES = 3000;

/**
 * Messages past the protocol's bounds. (Past the transport's 8 MiB a message never leaves the
 * faulty node: the transport refuses to send it, and a receiver refuses such a datagram stream
 * before buffering it; the transport suites test that edge.)
 */
export const oversized: FaultBehaviour<undefined> = {
  name: 'oversized',
  group: 'message',
  summary: `Sends an inventory of ${INV_HASHES} hashes (the bound is 1,000) and a signed transaction over ${MAX_TX_BYTES / 1024} KiB.`,
  honestReaction:
    'Refuses the list at the schema check (MSG_INVALID, 20 points) and the transaction by its size (TX_TOO_LARGE, 20 points); bans after five.',
  codes: ['MSG_INVALID', 'TX_TOO_LARGE'],
  bans: true,
  needs: ['network'],
  parse: noArg('oversized'),
  install(ctx) {
    const key = new FaultKey();
    let turn = 0;
    ctx.everyPeer(ACT_MS / 2, (peer) => {
      if (turn++ % 2 === 0) {
        ctx.send(peer, { t: 'inv', blocks: Array.from({ length: INV_HASHES }, () => randomHex(ctx.random, 32)) });
        return;
      }
      const app = ctx.chain.reader.appIds()[0] ?? 'none';
      const payload = { padding: 'x'.repeat(MAX_TX_BYTES + 1024) };
      ctx.send(peer, { t: 'txs', txs: [key.sign(ctx.chain.chainId, { app, type: 'padding', payload })] });
    });
  },
};
