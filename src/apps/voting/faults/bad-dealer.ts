import { defineAppFault } from '../../../kernel/index.js';
import { decodeScalar, encodeScalar } from '../crypto/group.js';
import type { TrusteeDealPayload } from '../secret/schemas.js';
import { ADVANCE_MS, OWN_TRUSTEES, OwnSecretElection } from './own-secret-election.js';

/** A dealer whose share to one trustee is not what its commitments promise: a share that would make the key unusable. */
export const badDealer = defineAppFault<undefined>({
  name: 'bad-dealer',
  summary:
    'Opens and runs a secret election of its own (3 trustees it holds, threshold 2) in which one trustee deals another a share that does not match its commitments (dealer and victim picked by the seed); the victim complains in its review, as an honest trustee does.',
  honestReaction:
    'Nothing is refused (the deal and the complaint are valid transactions): every node upholds the complaint from public data and disqualifies the dealer, and the election gets its key from the other two (secretElection: disqualified [dealer], qualified the other two, phase voting).',
  codes: [],
  bans: false,
  install(ctx) {
    const dealer = 1 + Math.floor(ctx.random() * OWN_TRUSTEES);
    // Any trustee but the dealer: one of the next OWN_TRUSTEES - 1 places, going round.
    const victim = 1 + ((dealer + Math.floor(ctx.random() * (OWN_TRUSTEES - 1))) % OWN_TRUSTEES);
    const own = new OwnSecretElection(ctx, 'bad-dealer', (t, call) => {
      if (t.j !== dealer || call.type !== 'trustee.deal') return call;
      const payload = structuredClone(call.payload) as TrusteeDealPayload;
      const share = payload.deal.shares[victim - 1]!;
      share.value = encodeScalar(decodeScalar(share.value) + 1n);
      ctx.log.info({ election: own.id, dealer, victim }, 'fault: a bad share dealt');
      return { type: call.type, payload };
    });
    ctx.interval(ADVANCE_MS, () => own.advance());
  },
});
