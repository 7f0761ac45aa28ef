import { ELECTION_ID_PATTERN } from '../election-id.js';
import type { EncryptedBallotJson } from '../crypto/ballot.js';
import type { CeremonyKeyJson, ComplaintJson, DealJson } from '../crypto/ceremony.js';
import type { SchnorrProofJson } from '../crypto/proofs/schnorr.js';

/**
 * JSON Schemas of the secret-election payloads. They bound every list and fix every encoding
 * to 64 lowercase hex digits (a point or a scalar), so the handlers decode bounded input only;
 * whether a point is on the group, and every proof, is checked by the handlers with their own
 * refusal codes.
 */

/** Trustees per election: the ceremony's messages grow with n², and each deal must fit a transaction. */
export const MAX_TRUSTEES = 16;
/** Choices of a secret election: a 16-choice ballot is about 8 KB, half a transaction. */
export const MAX_SECRET_CHOICES = 16;

const HEX32 = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
const ELECTION = { type: 'string', pattern: ELECTION_ID_PATTERN } as const;
const SCHNORR = { type: 'object', additionalProperties: false, required: ['c', 's'], properties: { c: HEX32, s: HEX32 } } as const;
const ONE_OF = { type: 'array', minItems: 1, maxItems: MAX_SECRET_CHOICES + 1, items: SCHNORR } as const;

export interface SecretSpec {
  /** Ed25519 public keys of the trustees, in trustee order (trustee 1 first). */
  trustees: string[];
  /** Any `threshold` trustees decrypt; fewer learn nothing. */
  threshold: number;
  /** A later ballot replaces the voter's earlier one. */
  revote?: boolean;
  /** Selections per ballot; both 1 unless given. */
  min?: number;
  max?: number;
}

export const secretSpecSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['trustees', 'threshold'],
  properties: {
    trustees: { type: 'array', minItems: 1, maxItems: MAX_TRUSTEES, uniqueItems: true, items: HEX32 },
    threshold: { type: 'integer', minimum: 1, maximum: MAX_TRUSTEES },
    revote: { type: 'boolean' },
    min: { type: 'integer', minimum: 0, maximum: MAX_SECRET_CHOICES },
    max: { type: 'integer', minimum: 1, maximum: MAX_SECRET_CHOICES },
  },
} as const;

export interface TrusteeKeyPayload {
  election: string;
  key: CeremonyKeyJson;
}

export const trusteeKeySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['election', 'key'],
  properties: {
    election: ELECTION,
    key: { type: 'object', additionalProperties: false, required: ['key', 'proof'], properties: { key: HEX32, proof: SCHNORR } },
  },
} as const;

export interface TrusteeDealPayload {
  election: string;
  deal: DealJson;
}

export const trusteeDealSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['election', 'deal'],
  properties: {
    election: ELECTION,
    deal: {
      type: 'object',
      additionalProperties: false,
      required: ['commitments', 'commitmentProof', 'shares'],
      properties: {
        commitments: { type: 'array', minItems: 1, maxItems: MAX_TRUSTEES, items: HEX32 },
        commitmentProof: SCHNORR,
        shares: {
          type: 'array',
          minItems: 1,
          maxItems: MAX_TRUSTEES,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['e', 'value', 'proof'],
            properties: { e: HEX32, value: HEX32, proof: SCHNORR },
          },
        },
      },
    },
  },
} as const;

export interface TrusteeReviewPayload {
  election: string;
  /** Empty: every other deal is acknowledged. */
  complaints: ComplaintJson[];
}

export const trusteeReviewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['election', 'complaints'],
  properties: {
    election: ELECTION,
    complaints: {
      type: 'array',
      maxItems: MAX_TRUSTEES - 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['dealer', 'k', 'proof'],
        properties: { dealer: { type: 'integer', minimum: 1, maximum: MAX_TRUSTEES }, k: HEX32, proof: SCHNORR },
      },
    },
  },
} as const;

export interface BallotEncryptedPayload {
  election: string;
  ballot: EncryptedBallotJson;
}

export const ballotEncryptedSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['election', 'ballot'],
  properties: {
    election: ELECTION,
    ballot: {
      type: 'object',
      additionalProperties: false,
      required: ['selections', 'count'],
      properties: {
        selections: {
          type: 'array',
          minItems: 1,
          maxItems: MAX_SECRET_CHOICES,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['a', 'b', 'proof'],
            properties: { a: HEX32, b: HEX32, proof: { ...ONE_OF, maxItems: 2 } },
          },
        },
        count: ONE_OF,
      },
    },
  },
} as const;

export interface DecryptionShareJson {
  d: string;
  proof: SchnorrProofJson;
}

export interface TrusteeDecryptPayload {
  election: string;
  /** One per choice, in choice order: D = x·A of that choice's summed ciphertext. */
  shares: DecryptionShareJson[];
}

export const trusteeDecryptSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['election', 'shares'],
  properties: {
    election: ELECTION,
    shares: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_SECRET_CHOICES,
      items: { type: 'object', additionalProperties: false, required: ['d', 'proof'], properties: { d: HEX32, proof: SCHNORR } },
    },
  },
} as const;
