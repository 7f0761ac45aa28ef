import { noArg } from '../args.js';
import { forgedTx } from '../craft.js';
import type { FaultBehaviour } from '../types.js';
import { ACT_MS } from './forged-blocks.js';

export const forgedSignature: FaultBehaviour<undefined> = {
  name: 'forged-signature',
  group: 'tx',
  summary: 'Pushes copies of real transactions with their nonce changed and a made-up signature (someone else’s key, any content).',
  honestReaction:
    'Verifies the Ed25519 signature over the chain id and content and refuses the copy (TX_BAD_SIGNATURE, 20 points); bans after five.',
  codes: ['TX_BAD_SIGNATURE'],
  bans: true,
  needs: ['network'],
  parse: noArg('forged-signature'),
  install(ctx) {
    ctx.everyPeer(ACT_MS, async (peer) => ctx.send(peer, { t: 'txs', txs: [await forgedTx(ctx)] }));
  },
};
