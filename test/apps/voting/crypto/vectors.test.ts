import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  commitPolynomial,
  contextTranscript,
  decodeBallot,
  decodePoint,
  decodeScalar,
  decryptShare,
  decryptionShare,
  encodeBallot,
  encodeCiphertext,
  encodeOneOf,
  encodePoint,
  encodeScalar,
  encrypt,
  encryptBallot,
  encryptShare,
  evaluatePolynomial,
  G,
  proveDleq,
  proveOneOf,
  proveSchnorr,
  secretMul,
  shareCommitment,
  verifyBallot,
  verifyDecryptionShare,
  verifyDleq,
  verifySchnorr,
  type ProofContext,
} from '../../../../src/apps/voting/crypto/index.js';
import { trackingCode, trusteeSecrets } from '../../../../src/apps/voting/secret/index.js';
import { seededRandom } from './helpers.js';

// Fixed inputs, every output written out: another implementation of docs/election-record.md
// must produce these bytes from these inputs, and must accept them. CAIRN_WRITE_VECTORS=1
// rewrites the file (only for a deliberate change of encoding, with a new DST version).

const FILE = new URL('./vectors.json', import.meta.url);
const CTX: ProofContext = { chainId: '00'.repeat(32), electionId: 'vectors', signer: '11'.repeat(32) };

function compute() {
  const random = seededRandom(20261202n);
  const x = random();
  const y = secretMul(G, x);
  const schnorrW = random();
  const schnorr = proveSchnorr(contextTranscript('test-schnorr', CTX), x, y, schnorrW);
  const h = secretMul(G, random());
  const dleqW = random();
  const dleq = proveDleq(contextTranscript('test-dleq', CTX), x, y, h, secretMul(h, x), dleqW);
  const r = random();
  const ct = encrypt(y, 1, r);
  const oneOf = proveOneOf(contextTranscript('selection', CTX).int(0), y, ct, 1, r, [0, 1], random);
  const rule = { choices: 3, min: 1, max: 1 };
  const { ballot, secrets } = encryptBallot(CTX, y, rule, [0, 0, 1], random);
  const poly = [random(), random()];
  const commitments = commitPolynomial(poly);
  const recipientSecret = random();
  const ephemeral = random();
  const shareNonce = random();
  const share = encryptShare(CTX, 1, 2, secretMul(G, recipientSecret), evaluatePolynomial(poly, 2), ephemeral, shareNonce);
  const partialW = random();
  const partial = decryptionShare(CTX, { index: 0, sum: ct, ballots: 1 }, x, y, partialW);
  // Derived, not drawn: these two add no draws to the stream.
  const trusteeKey = '22'.repeat(32);
  const derived = trusteeSecrets(trusteeKey, CTX.chainId, CTX.electionId, 2);
  return {
    context: CTX,
    electionSecret: encodeScalar(x),
    electionKey: encodePoint(y),
    schnorr: { purpose: 'test-schnorr', nonce: encodeScalar(schnorrW), c: encodeScalar(schnorr.c), s: encodeScalar(schnorr.s) },
    dleq: {
      purpose: 'test-dleq',
      h: encodePoint(h),
      z: encodePoint(secretMul(h, x)),
      nonce: encodeScalar(dleqW),
      c: encodeScalar(dleq.c),
      s: encodeScalar(dleq.s),
    },
    selection: { plaintext: 1, randomness: encodeScalar(r), ciphertext: encodeCiphertext(ct), proof: encodeOneOf(oneOf) },
    ballot: { rule, selections: secrets.selections, randomness: secrets.randomness.map(encodeScalar), encoded: encodeBallot(ballot) },
    tracking: { voter: CTX.signer, code: trackingCode(CTX.chainId, CTX.electionId, CTX.signer, encodeBallot(ballot)) },
    trusteeSecrets: {
      privateKey: trusteeKey,
      threshold: 2,
      ceremonySecret: encodeScalar(derived.ceremonySecret),
      polynomial: derived.polynomial.map(encodeScalar),
    },
    share: {
      dealer: 1,
      recipient: 2,
      polynomial: poly.map(encodeScalar),
      commitments: commitments.map(encodePoint),
      recipientSecret: encodeScalar(recipientSecret),
      ephemeral: encodeScalar(ephemeral),
      e: encodePoint(share.e),
      value: encodeScalar(share.value),
      proofNonce: encodeScalar(shareNonce),
      proof: { c: encodeScalar(share.proof.c), s: encodeScalar(share.proof.s) },
    },
    decryptionShare: {
      choice: 0,
      ballots: 1,
      a: encodePoint(ct.a),
      b: encodePoint(ct.b),
      nonce: encodeScalar(partialW),
      d: encodePoint(partial.d),
      c: encodeScalar(partial.proof.c),
      s: encodeScalar(partial.proof.s),
    },
  };
}

describe('test vectors (test/apps/voting/crypto/vectors.json)', () => {
  const computed = compute();
  if (process.env.CAIRN_WRITE_VECTORS === '1') writeFileSync(FILE, JSON.stringify(computed, null, 2) + '\n');
  const vectors = JSON.parse(readFileSync(FILE, 'utf8')) as ReturnType<typeof compute>;

  it('are reproduced byte for byte from their inputs', () => {
    expect(computed).toEqual(vectors);
  });

  it('verify from the file alone', () => {
    const y = decodePoint(vectors.electionKey);
    expect(
      verifySchnorr(contextTranscript('test-schnorr', vectors.context), y, {
        c: decodeScalar(vectors.schnorr.c),
        s: decodeScalar(vectors.schnorr.s),
      }),
    ).toBe(true);
    const { h, z, c, s } = vectors.dleq;
    expect(
      verifyDleq(contextTranscript('test-dleq', vectors.context), y, decodePoint(h), decodePoint(z), {
        c: decodeScalar(c),
        s: decodeScalar(s),
      }),
    ).toBe(true);
    expect(() => verifyBallot(vectors.context, y, vectors.ballot.rule, decodeBallot(vectors.ballot.encoded))).not.toThrow();
    const sh = vectors.share;
    const received = decryptShare(vectors.context, 1, 2, decodeScalar(sh.recipientSecret), {
      e: decodePoint(sh.e),
      value: decodeScalar(sh.value),
      proof: { c: decodeScalar(sh.proof.c), s: decodeScalar(sh.proof.s) },
    });
    expect(
      secretMul(G, received).equals(
        shareCommitment(
          sh.commitments.map((p: string) => decodePoint(p)),
          2,
        ),
      ),
    ).toBe(true);
    const ds = vectors.decryptionShare;
    expect(
      verifyDecryptionShare(
        vectors.context,
        { index: 0, sum: { a: decodePoint(ds.a), b: decodePoint(ds.b) }, ballots: ds.ballots },
        y,
        decodePoint(ds.d),
        { c: decodeScalar(ds.c), s: decodeScalar(ds.s) },
      ),
    ).toBe(true);
  });
});
