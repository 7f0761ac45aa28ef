import { refusedAs } from './crypto-refusal.js';
import type { TxHandler } from '../../../kernel/index.js';
import { checkDeal } from '../crypto/ceremony.js';
import { advanceRound, checkRound } from './ceremony-round.js';
import { proofContext } from './election-kind.js';
import { trusteeDealSchema, type TrusteeDealPayload } from './schemas.js';
import { secretKeys } from './state.js';

/**
 * `trustee.deal`: round two, a trustee's Feldman commitments and its encrypted shares for every
 * trustee. Only each recipient can tell whether its share is good; that is round three.
 */
export const trusteeDeal: TxHandler<TrusteeDealPayload> = {
  schema: trusteeDealSchema,
  check(state, tx, ctx) {
    const { election } = tx.payload;
    const { j, secret } = checkRound(state, election, tx.from, ctx.height, 'deals');
    refusedAs('CEREMONY_BAD_DEAL', `trustee ${j}'s deal is refused`, () =>
      checkDeal(proofContext(ctx.chainId, election, tx.from), j, tx.payload.deal, secret.trustees.length, secret.threshold),
    );
  },
  apply(state, tx, ctx) {
    const { election } = tx.payload;
    const { j, secret } = checkRound(state, election, tx.from, ctx.height, 'deals');
    state.put(secretKeys.deal(election, j), tx.payload.deal);
    advanceRound(state, election, secret, j, ctx);
  },
};
