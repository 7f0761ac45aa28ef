import { CryptoError } from '../errors.js';
import type { Ciphertext } from '../elgamal.js';
import { add, decodeScalar, encodeScalar, G, mul, publicMul, randomScalar, secretMul, smallMul, sub, type Point } from '../group.js';
import type { Transcript } from '../transcript.js';

/**
 * A disjunctive Chaum-Pedersen proof (Cramer-Damgård-Schoenmakers) that (a, b) encrypts one
 * of `values` under Y, without saying which: for each value m_j a branch (c_j, s_j) showing
 * that (a, b − m_j·G) encrypts 0, all but the true one simulated, the c_j summing to the
 * challenge. {0, 1} proves a selection; {min … max} proves how many a ballot selects.
 */
export interface OneOfProof {
  branches: Array<{ c: bigint; s: bigint }>;
}

export type OneOfProofJson = Array<{ c: string; s: string }>;

/** t1_j = s_j·G − c_j·a and t2_j = s_j·Y − c_j·(b − m_j·G): what a branch commits to. */
function commitments(y: Point, ct: Ciphertext, m: number, c: bigint, s: bigint): [Point, Point] {
  return [publicMul(G, s).subtract(publicMul(ct.a, c)), publicMul(y, s).subtract(publicMul(ct.b.subtract(smallMul(m)), c))];
}

function challenge(transcript: Transcript, y: Point, ct: Ciphertext, values: readonly number[], ts: Point[]): bigint {
  transcript.point(y).point(ct.a).point(ct.b).int(values.length);
  for (const m of values) transcript.int(m);
  return transcript.points(ts).challenge();
}

/** `r` is the encryption's randomness and `m` the true plaintext, which must be one of `values`. */
export function proveOneOf(
  transcript: Transcript,
  y: Point,
  ct: Ciphertext,
  m: number,
  r: bigint,
  values: readonly number[],
  random: () => bigint = randomScalar,
): OneOfProof {
  const real = values.indexOf(m);
  if (real < 0) throw new CryptoError('PROOF_INVALID', `the plaintext ${m} is not one of the values the proof covers`);
  const branches = values.map(() => ({ c: 0n, s: 0n }));
  const ts: Point[] = [];
  const w = random();
  values.forEach((mj, j) => {
    if (j === real) {
      ts.push(secretMul(G, w), secretMul(y, w));
    } else {
      const c = random();
      const s = random();
      branches[j] = { c, s };
      ts.push(...commitments(y, ct, mj, c, s));
    }
  });
  const total = challenge(transcript, y, ct, values, ts);
  const others = branches.reduce((sum, b, j) => (j === real ? sum : add(sum, b.c)), 0n);
  const c = sub(total, others);
  branches[real] = { c, s: add(w, mul(c, r)) };
  return { branches };
}

export function verifyOneOf(transcript: Transcript, y: Point, ct: Ciphertext, values: readonly number[], proof: OneOfProof): boolean {
  if (proof.branches.length !== values.length) return false;
  const ts: Point[] = [];
  let sum = 0n;
  values.forEach((m, j) => {
    const { c, s } = proof.branches[j]!;
    ts.push(...commitments(y, ct, m, c, s));
    sum = add(sum, c);
  });
  return challenge(transcript, y, ct, values, ts) === sum;
}

export function encodeOneOf(p: OneOfProof): OneOfProofJson {
  return p.branches.map((b) => ({ c: encodeScalar(b.c), s: encodeScalar(b.s) }));
}

export function decodeOneOf(json: OneOfProofJson, what = 'proof'): OneOfProof {
  if (!Array.isArray(json)) throw new CryptoError('PROOF_INVALID', `${what} is not a list of branches`);
  return { branches: json.map((b, j) => ({ c: decodeScalar(b?.c, `${what}[${j}].c`), s: decodeScalar(b?.s, `${what}[${j}].s`) })) };
}
