import { decodePoint, encodePoint, G, Point, publicMul, secretMul, smallMul } from './group.js';

/**
 * Exponential ElGamal under the election key Y: m is (a, b) = (rG, mG + rY). Ciphertexts add
 * componentwise to a ciphertext of the sum, which is how the chain tallies without decrypting.
 */
export interface Ciphertext {
  a: Point;
  b: Point;
}

/** As a record holds it: both points in hex. */
export interface CiphertextJson {
  a: string;
  b: string;
}

export function encrypt(y: Point, m: number, r: bigint): Ciphertext {
  return { a: secretMul(G, r), b: smallMul(m).add(secretMul(y, r)) };
}

export const ZERO_CIPHERTEXT: Ciphertext = { a: Point.ZERO, b: Point.ZERO };

export function addCiphertexts(x: Ciphertext, y: Ciphertext): Ciphertext {
  return { a: x.a.add(y.a), b: x.b.add(y.b) };
}

export function subCiphertexts(x: Ciphertext, y: Ciphertext): Ciphertext {
  return { a: x.a.subtract(y.a), b: x.b.subtract(y.b) };
}

export function sumCiphertexts(cs: readonly Ciphertext[]): Ciphertext {
  return cs.reduce(addCiphertexts, ZERO_CIPHERTEXT);
}

/** mG from the full secret x (tests and a single-key election); the threshold path is threshold.ts. */
export function decryptToPoint(x: bigint, c: Ciphertext): Point {
  return c.b.subtract(publicMul(c.a, x));
}

export function encodeCiphertext(c: Ciphertext): CiphertextJson {
  return { a: encodePoint(c.a), b: encodePoint(c.b) };
}

/** Either point may be the identity: a sum of ciphertexts can be. */
export function decodeCiphertext(json: CiphertextJson, what = 'ciphertext'): Ciphertext {
  return { a: decodePoint(json?.a, `${what}.a`, true), b: decodePoint(json?.b, `${what}.b`, true) };
}
