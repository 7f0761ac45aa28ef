import { describe, expect, it } from 'vitest';
import {
  combineShares,
  commitPolynomial,
  CryptoError,
  decryptionShare,
  decryptShare,
  electionKey,
  encrypt,
  encryptShare,
  evaluatePolynomial,
  G,
  judgeComplaint,
  lagrangeAtZero,
  makeComplaint,
  randomPolynomial,
  randomScalar,
  secretMul,
  shareMatches,
  smallDiscreteLog,
  smallMul,
  sumCiphertexts,
  verificationKey,
  verifyDecryptionShare,
  add,
  type Point,
  type ProofContext,
} from '../../../../src/apps/voting/crypto/index.js';

interface Trustee {
  index: number;
  ctx: ProofContext;
  /** Ceremony key pair: shares come encrypted to it. */
  p: bigint;
  pub: Point;
  poly: bigint[];
  commitments: Point[];
}

const base = { chainId: 'c'.repeat(64), electionId: 'secret' };

function trustees(n: number, k: number): Trustee[] {
  return Array.from({ length: n }, (_, i) => {
    const p = randomScalar();
    const poly = randomPolynomial(k);
    return {
      index: i + 1,
      ctx: {
        ...base,
        signer: String(i + 1)
          .repeat(64)
          .slice(0, 64),
      },
      p,
      pub: secretMul(G, p),
      poly,
      commitments: commitPolynomial(poly),
    };
  });
}

/** Every dealer's share for every trustee, through its encryption; each checked against the commitments. */
function ceremony(ts: Trustee[]): Map<number, bigint> {
  const secret = new Map<number, bigint>();
  for (const j of ts) {
    let x = 0n;
    for (const d of ts) {
      const enc = encryptShare(d.ctx, d.index, j.index, j.pub, evaluatePolynomial(d.poly, j.index));
      const share = decryptShare(d.ctx, d.index, j.index, j.p, enc);
      expect(shareMatches(d.commitments, j.index, share)).toBe(true);
      x = add(x, share);
    }
    secret.set(j.index, x);
  }
  return secret;
}

function subsets<T>(items: T[], size: number): T[][] {
  if (size === 0) return [[]];
  if (items.length < size) return [];
  const [first, ...rest] = items;
  return [...subsets(rest, size - 1).map((s) => [first!, ...s]), ...subsets(rest, size)];
}

describe('key ceremony and threshold decryption', () => {
  it.each([
    [3, 2],
    [5, 3],
  ])('with %i trustees, every %i decrypt the same tally, with proofs; fewer recover nothing', (n, k) => {
    const ts = trustees(n, k);
    const x = ceremony(ts);
    const qualified = ts.map((t) => t.commitments);
    const y = electionKey(qualified);
    // The election key is that of the sum of the constant terms, which no trustee knows alone.
    expect(
      y.equals(
        secretMul(
          G,
          ts.reduce((s, t) => add(s, t.poly[0]!), 0n),
        ),
      ),
    ).toBe(true);

    const votes = [1, 0, 1, 1, 0, 1];
    const sum = sumCiphertexts(votes.map((v) => encrypt(y, v, randomScalar())));
    const shares = ts.map((t) => {
      const big = verificationKey(qualified, t.index);
      expect(big.equals(secretMul(G, x.get(t.index)!))).toBe(true);
      const target = { index: 0, sum, ballots: 4 };
      const { d, proof } = decryptionShare(t.ctx, target, x.get(t.index)!, big);
      expect(verifyDecryptionShare(t.ctx, target, big, d, proof)).toBe(true);
      // Bound to its choice, its trustee and its value.
      expect(verifyDecryptionShare(t.ctx, { ...target, index: 1 }, big, d, proof)).toBe(false);
      // Bound to the whole tally: another B or another number of ballots fails.
      expect(verifyDecryptionShare(t.ctx, { ...target, sum: { a: sum.a, b: sum.b.add(G) } }, big, d, proof)).toBe(false);
      expect(verifyDecryptionShare(t.ctx, { ...target, ballots: 5 }, big, d, proof)).toBe(false);
      expect(verifyDecryptionShare(t.ctx, target, big, d.add(G), proof)).toBe(false);
      return { index: t.index, d };
    });
    for (const subset of subsets(shares, k)) expect(smallDiscreteLog(combineShares(sum, subset, k), votes.length)).toBe(4);
    for (const subset of subsets(shares, k - 1)) {
      expect(() => combineShares(sum, subset, k)).toThrow(CryptoError);
      // The same interpolation over k − 1 shares lands on another point: not the tally.
      expect(combineShares(sum, subset, k - 1).equals(smallMul(4))).toBe(false);
    }
  });

  it('interpolates at zero: Σ λ_i·f(i) = f(0) over any k points', () => {
    const poly = randomPolynomial(3);
    for (const indices of [
      [1, 2, 3],
      [2, 4, 5],
      [1, 3, 5],
    ]) {
      const value = indices.reduce((s, i) => add(s, lagrangeAtZero(indices, i) * evaluatePolynomial(poly, i)), 0n);
      expect(value).toBe(poly[0]);
    }
  });

  it('a complaint with a bad share disqualifies its dealer; a false complaint or a forged key is refused', () => {
    const [dealer, recipient] = trustees(2, 2);
    const good = encryptShare(dealer!.ctx, 1, 2, recipient!.pub, evaluatePolynomial(dealer!.poly, 2));
    const bad = encryptShare(dealer!.ctx, 1, 2, recipient!.pub, add(evaluatePolynomial(dealer!.poly, 2), 1n));
    const judge = (enc: typeof good, complaint = makeComplaint(recipient!.ctx, 1, recipient!.p, recipient!.pub, enc)) =>
      judgeComplaint(dealer!.ctx, recipient!.ctx, 1, 2, recipient!.pub, dealer!.commitments, enc, complaint);
    expect(shareMatches(dealer!.commitments, 2, decryptShare(dealer!.ctx, 1, 2, recipient!.p, bad))).toBe(false);
    expect(judge(bad)).toBe('dealer');
    expect(() => judge(good)).toThrow(/matches its commitments: the complaint is false/);
    const forged = makeComplaint(recipient!.ctx, 1, recipient!.p, recipient!.pub, bad);
    expect(() => judge(bad, { ...forged, k: forged.k.add(G) })).toThrow(/proof of the shared key does not verify/);
    expect(() => judge(bad, { ...forged, proof: { ...forged.proof, s: add(forged.proof.s, 1n) } })).toThrow(CryptoError);
  });
});
