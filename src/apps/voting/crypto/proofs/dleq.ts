import { add, G, mul, publicMul, randomScalar, secretMul, type Point } from '../group.js';
import type { Transcript } from '../transcript.js';
import type { SchnorrProof } from './schnorr.js';

/**
 * Chaum-Pedersen: the same x with X = xG and Z = xH. Proves a decryption share (H = the
 * summed a, Z = the share) against a trustee's verification key X, and a complaint's shared
 * key against the recipient's key. Same shape and encoding as a Schnorr proof: (c, s).
 */
export type DleqProof = SchnorrProof;

export function proveDleq(transcript: Transcript, x: bigint, big: Point, h: Point, z: Point, w = randomScalar()): DleqProof {
  const t1 = secretMul(G, w);
  const t2 = secretMul(h, w);
  const c = transcript.point(big).point(h).point(z).point(t1).point(t2).challenge();
  return { c, s: add(w, mul(c, x)) };
}

export function verifyDleq(transcript: Transcript, big: Point, h: Point, z: Point, proof: DleqProof): boolean {
  const t1 = publicMul(G, proof.s).subtract(publicMul(big, proof.c));
  const t2 = publicMul(h, proof.s).subtract(publicMul(z, proof.c));
  return transcript.point(big).point(h).point(z).point(t1).point(t2).challenge() === proof.c;
}
