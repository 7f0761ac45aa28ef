import { encodeCiphertext, ZERO_CIPHERTEXT } from '../crypto/elgamal.js';
import { rejection } from '../errors.js';
import type { ElectionOpenPayload } from '../schemas.js';
import { MAX_SECRET_CHOICES, type SecretSpec } from './schemas.js';
import { secretKeys, type SecretRecord } from './state.js';

/** What the schema cannot say about a secret election: the numbers must fit each other. */
export function checkSecretSpec(payload: ElectionOpenPayload, spec: SecretSpec): void {
  const choices = payload.choices.length;
  const bad = (why: string) => rejection('ELECTION_BAD_SECRET', `secret election '${payload.id}': ${why}`);
  if (choices === 0) throw bad('a secret election needs its choices listed (write-ins cannot be encrypted)');
  if (choices > MAX_SECRET_CHOICES) throw bad(`at most ${MAX_SECRET_CHOICES} choices, not ${choices}`);
  if (spec.threshold > spec.trustees.length)
    throw bad(`a threshold of ${spec.threshold} needs at least ${spec.threshold} trustees, not ${spec.trustees.length}`);
  const { min, max } = bounds(spec);
  if (min > max) throw bad(`at least ${min} and at most ${max} selections cannot both hold`);
  if (max > choices) throw bad(`at most ${max} selections of ${choices} choices`);
}

function bounds(spec: SecretSpec): { min: number; max: number } {
  return { min: spec.min ?? 1, max: spec.max ?? Math.max(1, spec.min ?? 1) };
}

/** The ceremony record (round one: ceremony keys) and zero sums. */
export function secretEntries(payload: ElectionOpenPayload, spec: SecretSpec): Array<[string, unknown]> {
  const record: SecretRecord = {
    trustees: spec.trustees,
    threshold: spec.threshold,
    revote: spec.revote ?? false,
    ...bounds(spec),
    phase: 'keys',
    posted: [],
    disqualified: [],
    key: null,
    qualified: [],
    verificationKeys: [],
    keyFixedAt: null,
    failure: null,
    decrypted: [],
  };
  return [
    [secretKeys.secret(payload.id), record],
    [secretKeys.sums(payload.id), payload.choices.map(() => encodeCiphertext(ZERO_CIPHERTEXT))],
  ];
}
