import { CryptoError } from './errors.js';
import type { Ciphertext } from './elgamal.js';
import { invert, mul, Point, publicMul, randomScalar, secretMul, sub } from './group.js';
import { shareCommitment } from './dkg.js';
import { proveDleq, verifyDleq, type DleqProof } from './proofs/dleq.js';
import { contextTranscript, type ProofContext } from './transcript.js';

/** The election key Y: the sum of the qualified dealers' constant-term commitments. */
export function electionKey(qualified: ReadonlyArray<readonly Point[]>): Point {
  return qualified.reduce((y, c) => y.add(c[0]!), Point.ZERO);
}

/** X_j = x_j·G, trustee j's verification key, from public commitments alone. */
export function verificationKey(qualified: ReadonlyArray<readonly Point[]>, j: number): Point {
  return qualified.reduce((x, c) => x.add(shareCommitment(c, j)), Point.ZERO);
}

export const DECRYPTION_PURPOSE = 'decryption-share';

/**
 * What a decryption share is of: the sum of choice `index` over the `ballots` voters counted.
 * The proof binds all of it, not only A: a share is then valid for this one tally, and a
 * record that adds ballots whose A parts cancel (r and −r) no longer matches the shares.
 */
export interface DecryptionTarget {
  index: number;
  sum: Ciphertext;
  ballots: number;
}

function decryptionTranscript(ctx: ProofContext, target: DecryptionTarget) {
  return contextTranscript(DECRYPTION_PURPOSE, ctx).int(target.index).int(target.ballots).point(target.sum.b);
}

/** D = x_j·A, with a proof that log_G(X_j) = log_A(D). */
export function decryptionShare(
  ctx: ProofContext,
  target: DecryptionTarget,
  x: bigint,
  big: Point,
  w = randomScalar(),
): { d: Point; proof: DleqProof } {
  const a = target.sum.a;
  const d = secretMul(a, x);
  return { d, proof: proveDleq(decryptionTranscript(ctx, target), x, big, a, d, w) };
}

export function verifyDecryptionShare(ctx: ProofContext, target: DecryptionTarget, big: Point, d: Point, proof: DleqProof): boolean {
  return verifyDleq(decryptionTranscript(ctx, target), big, target.sum.a, d, proof);
}

/** λ_i = Π_{j≠i} j / (j − i) mod ℓ: interpolation at 0 over the trustees in `indices`. */
export function lagrangeAtZero(indices: readonly number[], i: number): bigint {
  let num = 1n;
  let den = 1n;
  for (const j of indices) {
    if (j === i) continue;
    num = mul(num, BigInt(j));
    den = mul(den, sub(BigInt(j), BigInt(i)));
  }
  return mul(num, invert(den));
}

/** M = b − Σ λ_i·D_i over exactly the given shares (at least k, from distinct trustees): M = m·G. */
export function combineShares(ct: Ciphertext, shares: ReadonlyArray<{ index: number; d: Point }>, k: number): Point {
  const indices = shares.map((s) => s.index);
  if (new Set(indices).size !== indices.length) throw new CryptoError('THRESHOLD_UNMET', 'two decryption shares come from one trustee');
  if (indices.length < k) throw new CryptoError('THRESHOLD_UNMET', `${indices.length} decryption shares, ${k} needed`);
  const xa = shares.reduce((sum, s) => sum.add(publicMul(s.d, lagrangeAtZero(indices, s.index))), Point.ZERO);
  return ct.b.subtract(xa);
}
