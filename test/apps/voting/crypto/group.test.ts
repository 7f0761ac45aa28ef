import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CryptoError,
  decodePoint,
  decodeScalar,
  encodePoint,
  encodeScalar,
  G,
  ORDER,
  Point,
  publicMul,
  secretMul,
  smallDiscreteLog,
  smallMul,
  Transcript,
} from '../../../../src/apps/voting/crypto/index.js';
import { check } from '../../../support/property.js';
import { scalarArb } from './helpers.js';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CryptoError);
    return (err as CryptoError).code;
  }
  return 'no error';
};

describe('group encodings', () => {
  // RFC 9496 Appendix A.1: encodings of the first multiples of the generator.
  it.each([
    [1, 'e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76'],
    [2, '6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919'],
    [3, '94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259'],
    [4, 'da80862773358b466ffadfe0b3293ab3d9fd53c5ea6c955358f568322daf6a57'],
  ])('encodes %i·G as RFC 9496 does', (m, hex) => {
    expect(encodePoint(smallMul(m))).toBe(hex);
    expect(decodePoint(hex).equals(smallMul(m))).toBe(true);
  });

  it('round-trips points and scalars, and the constant-time and fast products agree', () => {
    check(
      fc.property(scalarArb, (k) => {
        const p = secretMul(G, k);
        expect(p.equals(publicMul(G, k))).toBe(true);
        expect(decodePoint(encodePoint(p)).equals(p)).toBe(true);
        expect(decodeScalar(encodeScalar(k))).toBe(k);
      }),
      50,
    );
  });

  it('refuses non-canonical, malformed and identity encodings, and scalars from ℓ up', () => {
    // RFC 9496 A.2: a non-canonical field encoding and a negative one.
    expect(codeOf(() => decodePoint('00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff'))).toBe('POINT_INVALID');
    expect(codeOf(() => decodePoint('0100000000000000000000000000000000000000000000000000000000000000'))).toBe('POINT_INVALID');
    expect(codeOf(() => decodePoint('E2F2AE0A6ABC4E71A884A961C500515F58E30B6AA582DD8DB6A65945E08D2D76'))).toBe('POINT_INVALID');
    expect(codeOf(() => decodePoint('e2f2'))).toBe('POINT_INVALID');
    expect(codeOf(() => decodePoint(42))).toBe('POINT_INVALID');
    expect(codeOf(() => decodePoint('0'.repeat(64)))).toBe('POINT_IDENTITY');
    expect(decodePoint('0'.repeat(64), 'sum', true).is0()).toBe(true);
    expect(codeOf(() => decodeScalar(encodeScalar(ORDER - 1n).replace(/^../, 'ff')))).toBe('SCALAR_INVALID');
    const ell = 'edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010';
    expect(codeOf(() => decodeScalar(ell))).toBe('SCALAR_INVALID');
    expect(decodeScalar(encodeScalar(ORDER - 1n))).toBe(ORDER - 1n);
  });

  it('hashes a transcript the way docs/election-record.md says', () => {
    // Length-prefixed items: text, integer, point; one changed byte changes the challenge.
    const t = new Transcript('test').text('ab').int(7).point(G);
    const bytes = Buffer.from(t.bytes()).toString('hex');
    expect(bytes).toBe('00000002' + '6162' + '00000004' + '00000007' + '00000020' + encodePoint(G));
    expect(new Transcript('test').text('ab').int(7).point(G).challenge()).toBe(t.challenge());
    expect(new Transcript('test').text('ab').int(8).point(G).challenge()).not.toBe(t.challenge());
    expect(new Transcript('other').text('ab').int(7).point(G).challenge()).not.toBe(t.challenge());
    // No ambiguity from concatenation: ('a','b') and ('ab','') differ.
    expect(new Transcript('x').text('a').text('b').challenge()).not.toBe(new Transcript('x').text('ab').text('').challenge());
  });
});

describe('small discrete logarithms', () => {
  it('recovers any count up to the bound, and refuses one beyond it', () => {
    check(
      fc.property(fc.integer({ min: 0, max: 100_000 }), (m) => {
        expect(smallDiscreteLog(smallMul(m), 100_000)).toBe(m);
      }),
      30,
    );
    expect(smallDiscreteLog(Point.ZERO, 10)).toBe(0);
    expect(() => smallDiscreteLog(smallMul(11), 10)).toThrow(CryptoError);
    expect(() => smallDiscreteLog(smallMul(-1), 10)).toThrow(CryptoError);
  });
});
