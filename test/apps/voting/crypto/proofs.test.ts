import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add,
  addCiphertexts,
  contextTranscript,
  decodeOneOf,
  decodeSchnorr,
  decryptToPoint,
  encodeOneOf,
  encodeSchnorr,
  encrypt,
  G,
  proveDleq,
  proveOneOf,
  proveSchnorr,
  secretMul,
  smallMul,
  verifyDleq,
  verifyOneOf,
  verifySchnorr,
  type Ciphertext,
} from '../../../../src/apps/voting/crypto/index.js';
import { check } from '../../../support/property.js';
import { CTX, OTHER_CONTEXTS, scalarArb } from './helpers.js';

const t = (ctx = CTX, purpose = 'test') => contextTranscript(purpose, ctx);

describe('exponential ElGamal', () => {
  it('decrypts what it encrypts, and the sum of ciphertexts decrypts to the sum of plaintexts', () => {
    check(
      fc.property(scalarArb, scalarArb, scalarArb, fc.nat(1000), fc.nat(1000), (x, r1, r2, m1, m2) => {
        const y = secretMul(G, x);
        const c1 = encrypt(y, m1, r1);
        const c2 = encrypt(y, m2, r2);
        expect(decryptToPoint(x, c1).equals(smallMul(m1))).toBe(true);
        expect(decryptToPoint(x, addCiphertexts(c1, c2)).equals(smallMul(m1 + m2))).toBe(true);
        // The sum is the encryption of m1 + m2 with randomness r1 + r2.
        const both = encrypt(y, m1 + m2, add(r1, r2));
        expect(addCiphertexts(c1, c2).a.equals(both.a) && addCiphertexts(c1, c2).b.equals(both.b)).toBe(true);
      }),
      20,
    );
  });
});

describe('Schnorr proof of knowledge', () => {
  it('verifies an honest proof and nothing with one field changed or another context', () => {
    check(
      fc.property(scalarArb, scalarArb, (x, other) => {
        const big = secretMul(G, x);
        const proof = proveSchnorr(t(), x, big);
        expect(verifySchnorr(t(), big, proof)).toBe(true);
        expect(verifySchnorr(t(), big, decodeSchnorr(encodeSchnorr(proof)))).toBe(true);
        expect(verifySchnorr(t(), big, { ...proof, c: add(proof.c, 1n) })).toBe(false);
        expect(verifySchnorr(t(), big, { ...proof, s: add(proof.s, 1n) })).toBe(false);
        expect(verifySchnorr(t(), secretMul(G, other), proof)).toBe(false);
        for (const [, ctx] of OTHER_CONTEXTS) expect(verifySchnorr(t(ctx), big, proof)).toBe(false);
        expect(verifySchnorr(t(CTX, 'other-purpose'), big, proof)).toBe(false);
        // Knowing another secret does not make a proof for X.
        expect(verifySchnorr(t(), big, proveSchnorr(t(), other, big))).toBe(false);
      }),
      15,
    );
  });
});

describe('Chaum-Pedersen proof of equal logarithms', () => {
  it('verifies an honest proof and nothing with one field changed', () => {
    check(
      fc.property(scalarArb, scalarArb, scalarArb, (x, h0, other) => {
        const big = secretMul(G, x);
        const h = secretMul(G, h0);
        const z = secretMul(h, x);
        const proof = proveDleq(t(), x, big, h, z);
        expect(verifyDleq(t(), big, h, z, proof)).toBe(true);
        expect(verifyDleq(t(), big, h, z.add(G), proof)).toBe(false);
        expect(verifyDleq(t(), big, h.add(G), z, proof)).toBe(false);
        expect(verifyDleq(t(), big.add(G), h, z, proof)).toBe(false);
        expect(verifyDleq(t(), big, h, z, { ...proof, s: add(proof.s, 1n) })).toBe(false);
        expect(verifyDleq(t(), big, h, z, { ...proof, c: add(proof.c, 1n) })).toBe(false);
        for (const [, ctx] of OTHER_CONTEXTS) expect(verifyDleq(t(ctx), big, h, z, proof)).toBe(false);
        // A share made with another secret cannot be proved against X.
        const wrong = secretMul(h, other);
        expect(verifyDleq(t(), big, h, wrong, proveDleq(t(), x, big, h, wrong))).toBe(false);
      }),
      15,
    );
  });
});

describe('disjunctive proof that a ciphertext holds one of a set of values', () => {
  const setup = (x: bigint) => ({ y: secretMul(G, x) });

  it('verifies for each value of the set, and for none outside it', () => {
    check(
      fc.property(scalarArb, scalarArb, fc.integer({ min: 0, max: 4 }), (x, r, m) => {
        const { y } = setup(x);
        const values = [0, 1, 2, 3, 4];
        const ct = encrypt(y, m, r);
        const proof = proveOneOf(t(), y, ct, m, r, values);
        expect(verifyOneOf(t(), y, ct, values, proof)).toBe(true);
        expect(verifyOneOf(t(), y, ct, values, decodeOneOf(encodeOneOf(proof)))).toBe(true);
        // The same proof says nothing about another set, and a cheater's claim fails.
        expect(verifyOneOf(t(), y, ct, [0, 1, 2, 3, 5], proof)).toBe(false);
        const two: Ciphertext = encrypt(y, 2, r);
        expect(verifyOneOf(t(), y, two, [0, 1], proveOneOf(t(), y, two, 1, r, [0, 1]))).toBe(false);
      }),
      12,
    );
  });

  it('fails when any single challenge or response is changed, or the ciphertext, key or context is another', () => {
    check(
      fc.property(scalarArb, scalarArb, fc.integer({ min: 0, max: 1 }), fc.nat(3), (x, r, m, pick) => {
        const { y } = setup(x);
        const ct = encrypt(y, m, r);
        const proof = proveOneOf(t(), y, ct, m, r, [0, 1]);
        const branch = pick % 2;
        const field = pick < 2 ? 'c' : 's';
        const tampered = { branches: proof.branches.map((b, j) => (j === branch ? { ...b, [field]: add(b[field], 1n) } : b)) };
        expect(verifyOneOf(t(), y, ct, [0, 1], tampered)).toBe(false);
        expect(verifyOneOf(t(), y, { a: ct.a, b: ct.b.add(G) }, [0, 1], proof)).toBe(false);
        expect(verifyOneOf(t(), y.add(G), ct, [0, 1], proof)).toBe(false);
        // Copied under another voter's key (Helios' ballot copying): refused.
        for (const [, ctx] of OTHER_CONTEXTS) expect(verifyOneOf(t(ctx), y, ct, [0, 1], proof)).toBe(false);
      }),
      12,
    );
  });
});
