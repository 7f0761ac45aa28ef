import { CryptoError } from '../errors.js';
import { add, decodeScalar, encodeScalar, G, mul, publicMul, randomScalar, secretMul, type Point } from '../group.js';
import type { Transcript } from '../transcript.js';

/** A proof of knowledge of x with X = xG: challenge and response, 64 bytes. */
export interface SchnorrProof {
  c: bigint;
  s: bigint;
}

export interface SchnorrProofJson {
  c: string;
  s: string;
}

/**
 * t = wG, c = H(transcript ‖ X ‖ t), s = w + c·x. The transcript carries the context (chain,
 * election, signer, purpose), so a proof made for one key or election proves nothing elsewhere.
 */
export function proveSchnorr(transcript: Transcript, x: bigint, big: Point, w = randomScalar()): SchnorrProof {
  const t = secretMul(G, w);
  const c = transcript.point(big).point(t).challenge();
  return { c, s: add(w, mul(c, x)) };
}

/** Recomputes t = sG − cX and checks that it hashes to c. */
export function verifySchnorr(transcript: Transcript, big: Point, proof: SchnorrProof): boolean {
  const t = publicMul(G, proof.s).subtract(publicMul(big, proof.c));
  return transcript.point(big).point(t).challenge() === proof.c;
}

export function encodeSchnorr(p: SchnorrProof): SchnorrProofJson {
  return { c: encodeScalar(p.c), s: encodeScalar(p.s) };
}

export function decodeSchnorr(json: SchnorrProofJson, what = 'proof'): SchnorrProof {
  if (json === null || typeof json !== 'object') throw new CryptoError('PROOF_INVALID', `${what} is not an object`);
  return { c: decodeScalar(json.c, `${what}.c`), s: decodeScalar(json.s, `${what}.s`) };
}
