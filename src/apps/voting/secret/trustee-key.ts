import { refusedAs } from './crypto-refusal.js';
import type { TxHandler } from '../../../kernel/index.js';
import { checkCeremonyKey } from '../crypto/ceremony.js';
import { advanceRound, checkRound } from './ceremony-round.js';
import { proofContext } from './election-kind.js';
import { trusteeKeySchema, type TrusteeKeyPayload } from './schemas.js';
import { secretKeys } from './state.js';

/** `trustee.key`: round one of the ceremony, a trustee's ceremony key with its proof of knowledge. */
export const trusteeKey: TxHandler<TrusteeKeyPayload> = {
  schema: trusteeKeySchema,
  check(state, tx, ctx) {
    const { election } = tx.payload;
    const { j } = checkRound(state, election, tx.from, ctx.height, 'keys');
    refusedAs('CEREMONY_BAD_KEY', `trustee ${j}'s ceremony key is refused`, () =>
      checkCeremonyKey(proofContext(ctx.chainId, election, tx.from), tx.payload.key),
    );
  },
  apply(state, tx, ctx) {
    const { election } = tx.payload;
    const { j, secret } = checkRound(state, election, tx.from, ctx.height, 'keys');
    state.put(secretKeys.ceremonyKey(election, j), tx.payload.key);
    advanceRound(state, election, secret, j, ctx);
  },
};
