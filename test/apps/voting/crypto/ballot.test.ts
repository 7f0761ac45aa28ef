import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  auditBallot,
  CryptoError,
  decodeBallot,
  decryptToPoint,
  encodeBallot,
  encrypt,
  encryptBallot,
  G,
  proveOneOf,
  contextTranscript,
  secretMul,
  selectionVector,
  smallDiscreteLog,
  sumCiphertexts,
  verifyBallot,
  type BallotRule,
  type EncryptedBallot,
} from '../../../../src/apps/voting/crypto/index.js';
import { check } from '../../../support/property.js';
import { CTX, OTHER_CONTEXTS, scalarArb } from './helpers.js';

const reason = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CryptoError);
    return (err as Error).message;
  }
  return 'verified';
};

describe('secret ballots', () => {
  it.each([2, 4, 10])('a ballot of %i choices verifies, decrypts to its selections, and audits', (choices) => {
    const x = 12345678901234567890n;
    const y = secretMul(G, x);
    const rule: BallotRule = { choices, min: 1, max: 1 };
    const vector = selectionVector(rule, [choices - 1]);
    const { ballot, secrets } = encryptBallot(CTX, y, rule, vector);
    expect(reason(() => verifyBallot(CTX, y, rule, ballot))).toBe('verified');
    const again = decodeBallot(JSON.parse(JSON.stringify(encodeBallot(ballot))));
    expect(reason(() => verifyBallot(CTX, y, rule, again))).toBe('verified');
    expect(ballot.selections.map((s) => smallDiscreteLog(decryptToPoint(x, s.ct), 1))).toEqual(vector);
    expect(auditBallot(y, ballot, secrets)).toBe(true);
    const lie = { ...secrets, selections: secrets.selections.map((v) => 1 - v) };
    expect(auditBallot(y, ballot, lie)).toBe(false);
  });

  it('a ballot between min and max selections verifies for every count in range', () => {
    check(
      fc.property(scalarArb, fc.subarray([0, 1, 2, 3], { minLength: 1, maxLength: 3 }), (x, chosen) => {
        const y = secretMul(G, x);
        const rule: BallotRule = { choices: 4, min: 1, max: 3 };
        const { ballot } = encryptBallot(CTX, y, rule, selectionVector(rule, chosen));
        expect(reason(() => verifyBallot(CTX, y, rule, ballot))).toBe('verified');
      }),
      6,
    );
  });

  it('refuses an overvote whose count proof is forged, a selection of 2, a copied ballot and a wrong key', () => {
    const x = 987654321n;
    const y = secretMul(G, x);
    const rule: BallotRule = { choices: 3, min: 1, max: 1 };
    expect(() => selectionVector(rule, [0, 1])).toThrow(/from 1 to 1 choices, not 2/);

    // Overvote: two honest 0/1 selections, and a count proof that claims 1.
    const { ballot: one } = encryptBallot(CTX, y, rule, [1, 0, 0]);
    const r = [11n, 22n, 33n];
    const cts = [encrypt(y, 1, r[0]!), encrypt(y, 1, r[1]!), encrypt(y, 0, r[2]!)];
    const selections = cts.map((ct, i) => ({
      ct,
      proof: proveOneOf(contextTranscript('selection', CTX).int(i), y, ct, i < 2 ? 1 : 0, r[i]!, [0, 1]),
    }));
    const forged: EncryptedBallot = {
      selections,
      count: proveOneOf(contextTranscript('selection-count', CTX), y, sumCiphertexts(cts), 1, 66n, [1]),
    };
    expect(reason(() => verifyBallot(CTX, y, rule, forged))).toBe('the proof that the ballot selects from 1 to 1 choices does not verify');

    // A selection of 2 with a proof that claims 0 or 1.
    const two = encrypt(y, 2, 5n);
    const bad: EncryptedBallot = {
      ...one,
      selections: [
        { ct: two, proof: proveOneOf(contextTranscript('selection', CTX).int(0), y, two, 1, 5n, [0, 1]) },
        ...one.selections.slice(1),
      ],
    };
    expect(reason(() => verifyBallot(CTX, y, rule, bad))).toBe('the proof that selection 0 is 0 or 1 does not verify');

    // Copied: the same ciphertexts and proofs under another voter, chain or election.
    for (const [, ctx] of OTHER_CONTEXTS) expect(reason(() => verifyBallot(ctx, y, rule, one))).toMatch(/does not verify$/);
    expect(reason(() => verifyBallot(CTX, y.add(G), rule, one))).toMatch(/does not verify$/);
    expect(reason(() => verifyBallot(CTX, y, { choices: 2, min: 1, max: 1 }, one))).toBe('the ballot has 3 selections for 2 choices');
  });

  it('refuses a malformed point in a ballot before any arithmetic', () => {
    const y = secretMul(G, 5n);
    const { ballot } = encryptBallot(CTX, y, { choices: 2, min: 1, max: 1 }, [0, 1]);
    const json = encodeBallot(ballot);
    json.selections[1]!.a = 'ff'.repeat(32);
    expect(() => decodeBallot(json)).toThrow(/selection 1\.a is not the canonical encoding/);
  });
});
