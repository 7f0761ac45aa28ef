import { describe, expect, it } from 'vitest';
import {
  ceremonyResult,
  checkCeremonyKey,
  checkDeal,
  combineShares,
  CryptoError,
  decryptionShare,
  encodePoint,
  encodeScalar,
  encodeSchnorr,
  encrypt,
  encryptShare,
  evaluatePolynomial,
  finalShare,
  G,
  makeCeremonyKey,
  makeDeal,
  randomScalar,
  reviewDeals,
  secretMul,
  smallDiscreteLog,
  sumCiphertexts,
  upholdComplaint,
  verifyDecryptionShare,
  add,
  type Deal,
  type DealJson,
  type ProofContext,
} from '../../../../src/apps/voting/crypto/index.js';

const N = 3;
const K = 2;
const ctxOf = (i: number): ProofContext => ({ chainId: 'c'.repeat(64), electionId: 'secret', signer: String(i).repeat(64) });

/** Trustees 1..3 deal; trustee 3 cheats on its share for trustee 2. */
function deal(cheater?: number) {
  const secrets = [1, 2, 3].map(() => randomScalar());
  const keys = secrets.map((s) => secretMul(G, s));
  // Round one: each ceremony key, checked against its proof, is what the deals encrypt to.
  const posted = [1, 2, 3].map((d) => checkCeremonyKey(ctxOf(d), makeCeremonyKey(ctxOf(d), secrets[d - 1]!)));
  expect(posted.map(encodePoint)).toEqual(keys.map(encodePoint));
  const made = [1, 2, 3].map((d) => {
    const polynomial = [randomScalar(), randomScalar()];
    return { deal: makeDeal(ctxOf(d), d, posted, polynomial), polynomial };
  });
  if (cheater) {
    const { deal: json, polynomial } = made[cheater - 1]!;
    const bad = encryptShare(ctxOf(cheater), cheater, 2, keys[1]!, add(evaluatePolynomial(polynomial, 2), 1n));
    json.shares[1] = { e: encodePoint(bad.e), value: encodeScalar(bad.value), proof: encodeSchnorr(bad.proof) };
  }
  const deals = new Map<number, { ctx: ProofContext; deal: Deal }>(
    made.map((m, i) => [i + 1, { ctx: ctxOf(i + 1), deal: checkDeal(ctxOf(i + 1), i + 1, m.deal, N, K) }]),
  );
  return { secrets, keys, made, deals };
}

describe('the key ceremony from its transactions', () => {
  it('disqualifies a dealer who sent a bad share, and the qualified trustees still decrypt the tally', () => {
    const { secrets, keys, deals } = deal(3);
    const reviews = [1, 2, 3].map((j) => reviewDeals(ctxOf(j), j, secrets[j - 1]!, deals));
    expect(reviews.map((r) => r.complaints.map((c) => c.dealer))).toEqual([[], [3], []]);
    const disqualified = new Set(
      reviews.flatMap((r, i) =>
        r.complaints.map((c) => upholdComplaint(ctxOf(i + 1), i + 1, keys[i]!, ctxOf(c.dealer), deals.get(c.dealer)!.deal, c)),
      ),
    );
    expect([...disqualified]).toEqual([3]);
    const result = ceremonyResult(new Map([...deals].map(([d, v]) => [d, v.deal])), disqualified, K);
    expect(result.qualified).toEqual([1, 2]);

    const sum = sumCiphertexts([1, 1, 0, 1].map((v) => encrypt(result.key, v, randomScalar())));
    const shares = result.qualified.map((j) => {
      const x = finalShare(reviews[j - 1]!.shares, result.qualified);
      const big = result.verificationKeys.get(j)!;
      const target = { index: 0, sum, ballots: 4 };
      const { d, proof } = decryptionShare(ctxOf(j), target, x, big);
      expect(verifyDecryptionShare(ctxOf(j), target, big, d, proof)).toBe(true);
      return { index: j, d };
    });
    expect(smallDiscreteLog(combineShares(sum, shares, K), 4)).toBe(3);
  });

  it('refuses a false complaint, a deal with a bad proof or the wrong size, and a ceremony short of the threshold', () => {
    const { keys, made, deals } = deal();
    // Trustee 2 complains about trustee 1's good share: refused.
    const honestReview = reviewDeals(ctxOf(2), 2, 0n, new Map());
    expect(honestReview.complaints).toEqual([]);
    const lie = { dealer: 1, k: encodePoint(G), proof: { c: encodeScalar(1n), s: encodeScalar(1n) } };
    expect(() => upholdComplaint(ctxOf(2), 2, keys[1]!, ctxOf(1), deals.get(1)!.deal, lie)).toThrow(CryptoError);

    const tampered: DealJson = { ...made[0]!.deal, commitments: [...made[0]!.deal.commitments].reverse() };
    expect(() => checkDeal(ctxOf(1), 1, tampered, N, K)).toThrow(/constant term does not verify/);
    // A deal is bound to its dealer: under another signer its proofs fail.
    expect(() => checkDeal(ctxOf(2), 1, made[0]!.deal, N, K)).toThrow(/does not verify/);
    expect(() => checkDeal(ctxOf(1), 1, made[0]!.deal, N, 3)).toThrow(/commits to 3 coefficients/);
    expect(() => checkDeal(ctxOf(1), 1, made[0]!.deal, 4, K)).toThrow(/one share per trustee \(4\)/);
    const key = makeCeremonyKey(ctxOf(1), randomScalar());
    expect(() => checkCeremonyKey(ctxOf(2), key)).toThrow(/ceremony key does not verify/);
    expect(() => checkCeremonyKey(ctxOf(1), { ...key, key: encodePoint(G) })).toThrow(/ceremony key does not verify/);
    expect(() => ceremonyResult(new Map([...deals].map(([d, v]) => [d, v.deal])), new Set([1, 2]), K)).toThrow(
      /1 trustees qualified in the ceremony, 2 are needed/,
    );
  });
});
