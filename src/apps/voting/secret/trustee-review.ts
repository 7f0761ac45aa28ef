import { refusedAs } from './crypto-refusal.js';
import type { StateView, StateWriter, TxContext, TxHandler } from '../../../kernel/index.js';
import { CryptoError } from '../crypto/errors.js';
import { ceremonyResult, decodeDeal, upholdComplaint, type Deal } from '../crypto/ceremony.js';
import { decodePoint, encodePoint, type Point } from '../crypto/group.js';
import { rejection } from '../errors.js';
import { advanceRound, checkRound } from './ceremony-round.js';
import { proofContext } from './election-kind.js';
import { trusteeReviewSchema, type TrusteeReviewPayload } from './schemas.js';
import { secretKeys, type DealJson, type CeremonyKeyJson, type SecretRecord } from './state.js';
import type { ProofContext } from '../crypto/transcript.js';

function posted(
  state: StateView,
  chainId: string,
  election: string,
  secret: SecretRecord,
  j: number,
): { ctx: ProofContext; key: Point; deal: Deal } {
  const ctx = proofContext(chainId, election, secret.trustees[j - 1]!);
  // Both were checked, proofs and all, when they were posted: only decoded here.
  const key = decodePoint(state.get<CeremonyKeyJson>(secretKeys.ceremonyKey(election, j))!.key, `trustee ${j}'s ceremony key`);
  const deal = decodeDeal(state.get<DealJson>(secretKeys.deal(election, j))!, secret.trustees.length, secret.threshold);
  return { ctx, key, deal };
}

/** The dealers trustee j's complaints disqualify; a complaint that does not hold refuses the whole review. */
function upheld(
  state: StateView,
  chainId: string,
  election: string,
  secret: SecretRecord,
  j: number,
  payload: TrusteeReviewPayload,
): number[] {
  // The cheap rules for every complaint before any decoding: a junk review costs little.
  const seen = new Set<number>();
  for (const c of payload.complaints) {
    if (c.dealer === j || c.dealer > secret.trustees.length)
      throw rejection('CEREMONY_BAD_COMPLAINT', `trustee ${j} cannot complain about trustee ${c.dealer}: it is not another trustee`);
    if (seen.has(c.dealer)) throw rejection('CEREMONY_BAD_COMPLAINT', `trustee ${j} complains twice about trustee ${c.dealer}`);
    seen.add(c.dealer);
  }
  if (seen.size === 0) return [];
  const me = posted(state, chainId, election, secret, j);
  for (const c of payload.complaints) {
    const dealer = posted(state, chainId, election, secret, c.dealer);
    refusedAs('CEREMONY_BAD_COMPLAINT', `trustee ${j}'s complaint about trustee ${c.dealer} does not hold`, () =>
      upholdComplaint(me.ctx, j, me.key, dealer.ctx, dealer.deal, c),
    );
  }
  return [...seen];
}

/** The last review ends the ceremony: the election key from the qualified dealers, or a failure. */
function finish(state: StateWriter, chainId: string, election: string, secret: SecretRecord, ctx: TxContext): void {
  const deals = new Map<number, Deal>();
  for (let d = 1; d <= secret.trustees.length; d++) deals.set(d, posted(state, chainId, election, secret, d).deal);
  let done: SecretRecord;
  try {
    const result = ceremonyResult(deals, new Set(secret.disqualified), secret.threshold);
    done = {
      ...secret,
      phase: 'voting',
      key: encodePoint(result.key),
      qualified: result.qualified,
      verificationKeys: result.qualified.map((q) => encodePoint(result.verificationKeys.get(q)!)),
      keyFixedAt: ctx.height,
    };
  } catch (e) {
    if (!(e instanceof CryptoError)) throw e;
    done = { ...secret, phase: 'failed', failure: e.message };
  }
  state.put(secretKeys.secret(election), done);
  ctx.emit('ceremony.finished', { election, phase: done.phase, qualified: done.qualified, disqualified: done.disqualified, key: done.key });
}

/**
 * `trustee.review`: round three. Each trustee decrypts its share from every other deal; the
 * review is the list of complaints (empty acknowledges every deal). Every node upholds each
 * complaint from public data alone, and an upheld complaint disqualifies its dealer.
 */
export const trusteeReview: TxHandler<TrusteeReviewPayload> = {
  schema: trusteeReviewSchema,
  check(state, tx, ctx) {
    const { election } = tx.payload;
    const { j, secret } = checkRound(state, election, tx.from, ctx.height, 'reviews');
    upheld(state, ctx.chainId, election, secret, j, tx.payload);
  },
  apply(state, tx, ctx) {
    const { election } = tx.payload;
    const { j, secret } = checkRound(state, election, tx.from, ctx.height, 'reviews');
    // `check` upheld every complaint just before (the kernel runs it first on every path).
    const against = tx.payload.complaints.map((c) => c.dealer);
    state.put(secretKeys.review(election, j), { complaints: tx.payload.complaints, height: ctx.height });
    const disqualified = [...new Set([...secret.disqualified, ...against])].sort((a, b) => a - b);
    const next = advanceRound(state, election, { ...secret, disqualified }, j, ctx);
    if (next.posted.length === 0) finish(state, ctx.chainId, election, next, ctx);
  },
};
