import { CryptoError } from './errors.js';
import { add, G, mul, Point, publicMul, randomScalar, secretMul, sub } from './group.js';
import { proveDleq, verifyDleq, type DleqProof } from './proofs/dleq.js';
import { proveSchnorr, verifySchnorr, type SchnorrProof } from './proofs/schnorr.js';
import { contextTranscript, type ProofContext, type Transcript } from './transcript.js';

/**
 * Pedersen's distributed key generation with Feldman commitments, every message on the chain.
 * Trustees are numbered 1..n (their place in the election's trustee list); any k of them can
 * decrypt. A dealer's secret polynomial f(z) = a_0 + a_1 z + … + a_{k−1} z^{k−1} is committed
 * as C_i = a_i·G; trustee j's share is f(j), checkable by anyone who sees it against the C_i.
 */
export function randomPolynomial(k: number, random: () => bigint = randomScalar): bigint[] {
  return Array.from({ length: k }, () => random());
}

export function commitPolynomial(coefficients: readonly bigint[]): Point[] {
  return coefficients.map((a) => secretMul(G, a));
}

/** f(j) by Horner's rule, mod ℓ. */
export function evaluatePolynomial(coefficients: readonly bigint[], j: number): bigint {
  let value = 0n;
  for (let i = coefficients.length - 1; i >= 0; i--) value = add(mul(value, BigInt(j)), coefficients[i]!);
  return value;
}

/** Σ C_i · j^i: what f(j)·G must be. Also trustee j's share of the dealer's key, publicly. */
export function shareCommitment(commitments: readonly Point[], j: number): Point {
  let power = 1n;
  let sum = Point.ZERO;
  for (const c of commitments) {
    sum = sum.add(publicMul(c, power));
    power = mul(power, BigInt(j));
  }
  return sum;
}

export function shareMatches(commitments: readonly Point[], j: number, share: bigint): boolean {
  return secretMul(G, share).equals(shareCommitment(commitments, j));
}

/**
 * A share on its way to trustee j: E = e·G and f(j) + H(…, E, e·P_j), a one-time pad in Z_ℓ,
 * with a proof that the dealer knows e. Without it a dealer could post another dealer's E:
 * the recipient's complaint, which reveals p_j·E, would then unlock that other dealer's share.
 */
export interface EncryptedShare {
  e: Point;
  value: bigint;
  proof: SchnorrProof;
}

export const SHARE_MASK_PURPOSE = 'share-mask';
export const SHARE_KEY_PURPOSE = 'share-key';
export const SHARE_EPHEMERAL_PURPOSE = 'share-ephemeral';

/** The proof of knowledge of a share's e: purpose share-ephemeral, the dealer's context, both indices. */
export function ephemeralTranscript(ctx: ProofContext, dealer: number, recipient: number): Transcript {
  return contextTranscript(SHARE_EPHEMERAL_PURPOSE, ctx).int(dealer).int(recipient);
}

export function checkShareEphemeral(ctx: ProofContext, dealer: number, recipient: number, enc: EncryptedShare): boolean {
  return verifySchnorr(ephemeralTranscript(ctx, dealer, recipient), enc.e, enc.proof);
}

/**
 * The pad of dealer `dealer`'s share for trustee `recipient`: a hash of the Diffie-Hellman key
 * K = e·P_j with both indices and E, under the election's context (the dealer signs).
 */
export function shareMask(ctx: ProofContext, dealer: number, recipient: number, e: Point, k: Point): bigint {
  return contextTranscript(SHARE_MASK_PURPOSE, ctx).int(dealer).int(recipient).point(e).point(k).challenge();
}

export function encryptShare(
  ctx: ProofContext,
  dealer: number,
  recipient: number,
  recipientKey: Point,
  share: bigint,
  ephemeral = randomScalar(),
  nonce = randomScalar(),
): EncryptedShare {
  const e = secretMul(G, ephemeral);
  const k = secretMul(recipientKey, ephemeral);
  const proof = proveSchnorr(ephemeralTranscript(ctx, dealer, recipient), ephemeral, e, nonce);
  return { e, value: add(share, shareMask(ctx, dealer, recipient, e, k)), proof };
}

/** The recipient's side: K = p_j·E, so the pad and the share. */
export function decryptShare(ctx: ProofContext, dealer: number, recipient: number, secret: bigint, enc: EncryptedShare): bigint {
  const k = secretMul(enc.e, secret);
  return sub(enc.value, shareMask(ctx, dealer, recipient, enc.e, k));
}

/**
 * A complaint makes the bad share public without the recipient's secret: it reveals K = p_j·E
 * with a proof that log_G(P_j) = log_E(K). `ctx.signer` is the dealer's key (the share's
 * context); the proof's own context is the recipient's.
 */
export interface Complaint {
  k: Point;
  proof: DleqProof;
}

export function makeComplaint(
  recipientCtx: ProofContext,
  dealer: number,
  secret: bigint,
  recipientKey: Point,
  enc: EncryptedShare,
  w = randomScalar(),
): Complaint {
  const k = secretMul(enc.e, secret);
  return { k, proof: proveDleq(contextTranscript(SHARE_KEY_PURPOSE, recipientCtx).int(dealer), secret, recipientKey, enc.e, k, w) };
}

/**
 * The verdict on a complaint, from public data alone: `dealer` when the revealed share does
 * not match the dealer's commitments (the dealer is disqualified); otherwise the complaint is
 * false and refused (PROOF_INVALID for a bad proof, SHARE_INVALID for a share that is fine).
 */
export function judgeComplaint(
  dealerCtx: ProofContext,
  recipientCtx: ProofContext,
  dealer: number,
  recipient: number,
  recipientKey: Point,
  commitments: readonly Point[],
  enc: EncryptedShare,
  complaint: Complaint,
): 'dealer' {
  if (!verifyDleq(contextTranscript(SHARE_KEY_PURPOSE, recipientCtx).int(dealer), recipientKey, enc.e, complaint.k, complaint.proof))
    throw new CryptoError('PROOF_INVALID', "the complaint's proof of the shared key does not verify");
  const share = sub(enc.value, shareMask(dealerCtx, dealer, recipient, enc.e, complaint.k));
  if (shareMatches(commitments, recipient, share))
    throw new CryptoError(
      'SHARE_INVALID',
      `the share of trustee ${dealer} for trustee ${recipient} matches its commitments: the complaint is false`,
    );
  return 'dealer';
}
