import { CryptoError } from './errors.js';
import { encodeCiphertext, encrypt, sumCiphertexts, type Ciphertext, type CiphertextJson } from './elgamal.js';
import { add, decodePoint, fixedBase, randomScalar, type Point } from './group.js';
import { decodeOneOf, encodeOneOf, proveOneOf, verifyOneOf, type OneOfProof, type OneOfProofJson } from './proofs/one-of.js';
import { contextTranscript, type ProofContext } from './transcript.js';

/** What a secret election asks of a ballot: one 0-or-1 per choice, between min and max ones in all. */
export interface BallotRule {
  choices: number;
  min: number;
  max: number;
}

export interface EncryptedBallot {
  selections: Array<{ ct: Ciphertext; proof: OneOfProof }>;
  /** That the selections add up to a number in [min, max]. */
  count: OneOfProof;
}

export interface EncryptedBallotJson {
  selections: Array<CiphertextJson & { proof: OneOfProofJson }>;
  count: OneOfProofJson;
}

/** What only the voter's device knows: enough to audit the ballot instead of casting it. */
export interface BallotSecrets {
  selections: number[];
  randomness: bigint[];
}

export const SELECTION_PURPOSE = 'selection';
export const COUNT_PURPOSE = 'selection-count';

const range = (min: number, max: number) => Array.from({ length: max - min + 1 }, (_, i) => min + i);

function selectionTranscript(ctx: ProofContext, index: number) {
  return contextTranscript(SELECTION_PURPOSE, ctx).int(index);
}

function countTranscript(ctx: ProofContext) {
  return contextTranscript(COUNT_PURPOSE, ctx);
}

/** The 0/1 vector of a set of chosen indices, checked against the rule. */
export function selectionVector(rule: BallotRule, chosen: readonly number[]): number[] {
  const vector = new Array<number>(rule.choices).fill(0);
  for (const i of chosen) {
    if (!Number.isInteger(i) || i < 0 || i >= rule.choices) throw new CryptoError('PROOF_INVALID', `choice ${i} is not on the ballot`);
    vector[i] = 1;
  }
  const count = vector.reduce((n, v) => n + v, 0);
  if (count < rule.min || count > rule.max)
    throw new CryptoError('PROOF_INVALID', `a ballot selects from ${rule.min} to ${rule.max} choices, not ${count}`);
  return vector;
}

/**
 * Encrypts each selection under the election key with fresh randomness and proves it 0 or 1,
 * then proves the count with the summed randomness. Every proof binds the context, so the
 * ciphertexts cannot be cast again under another voter's key.
 */
export function encryptBallot(
  ctx: ProofContext,
  y: Point,
  rule: BallotRule,
  vector: readonly number[],
  random: () => bigint = randomScalar,
): { ballot: EncryptedBallot; secrets: BallotSecrets } {
  fixedBase(y);
  const randomness = vector.map(() => random());
  const selections = vector.map((v, i) => {
    const ct = encrypt(y, v, randomness[i]!);
    return { ct, proof: proveOneOf(selectionTranscript(ctx, i), y, ct, v, randomness[i]!, [0, 1], random) };
  });
  const total = sumCiphertexts(selections.map((s) => s.ct));
  const count = vector.reduce((n, v) => n + v, 0);
  const r = randomness.reduce(add, 0n);
  const countProof = proveOneOf(countTranscript(ctx), y, total, count, r, range(rule.min, rule.max), random);
  return { ballot: { selections, count: countProof }, secrets: { selections: [...vector], randomness } };
}

/** Every proof of the ballot, against the rule; the first failure is named. */
export function verifyBallot(ctx: ProofContext, y: Point, rule: BallotRule, ballot: EncryptedBallot): void {
  fixedBase(y);
  if (ballot.selections.length !== rule.choices)
    throw new CryptoError('PROOF_INVALID', `the ballot has ${ballot.selections.length} selections for ${rule.choices} choices`);
  ballot.selections.forEach(({ ct, proof }, i) => {
    if (!verifyOneOf(selectionTranscript(ctx, i), y, ct, [0, 1], proof))
      throw new CryptoError('PROOF_INVALID', `the proof that selection ${i} is 0 or 1 does not verify`, { selection: i });
  });
  const total = sumCiphertexts(ballot.selections.map((s) => s.ct));
  if (!verifyOneOf(countTranscript(ctx), y, total, range(rule.min, rule.max), ballot.count))
    throw new CryptoError('PROOF_INVALID', `the proof that the ballot selects from ${rule.min} to ${rule.max} choices does not verify`);
}

/**
 * Benaloh's challenge: with the randomness revealed, anyone re-encrypts the claimed selections
 * and compares. A ballot audited is spoiled: its randomness is public, so it is never cast.
 */
export function auditBallot(y: Point, ballot: EncryptedBallot, secrets: BallotSecrets): boolean {
  if (secrets.selections.length !== ballot.selections.length || secrets.randomness.length !== ballot.selections.length) return false;
  return ballot.selections.every(({ ct }, i) => {
    const again = encrypt(y, secrets.selections[i]!, secrets.randomness[i]!);
    return again.a.equals(ct.a) && again.b.equals(ct.b);
  });
}

export function encodeBallot(b: EncryptedBallot): EncryptedBallotJson {
  return {
    selections: b.selections.map(({ ct, proof }) => ({ ...encodeCiphertext(ct), proof: encodeOneOf(proof) })),
    count: encodeOneOf(b.count),
  };
}

export function decodeBallot(json: EncryptedBallotJson): EncryptedBallot {
  if (!json || !Array.isArray(json.selections)) throw new CryptoError('PROOF_INVALID', 'the ballot has no list of selections');
  return {
    // A fresh encryption is never the identity: only r = 0 gives it, which posts the vote in the clear.
    selections: json.selections.map((s, i) => ({
      ct: { a: decodePoint(s?.a, `selection ${i}.a`), b: decodePoint(s?.b, `selection ${i}.b`) },
      proof: decodeOneOf(s.proof, `selection ${i} proof`),
    })),
    count: decodeOneOf(json.count, 'count proof'),
  };
}
