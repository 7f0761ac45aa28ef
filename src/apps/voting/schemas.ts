import { PUBLIC_KEY_SCHEMA } from '../../kernel/index.js';
import { secretSpecSchema, type SecretSpec } from './secret/schemas.js';

/**
 * JSON Schemas of the voting payloads. The kernel compiles each once with ajv and refuses a
 * payload that does not match (TX_BAD_PAYLOAD) before any check runs, so the handlers only
 * see bounded, well-typed values.
 */

import { ELECTION_ID_PATTERN } from './election-id.js';

export { ELECTION_ID_PATTERN };
export const MAX_CHOICES = 64;
export const MAX_CHOICE_LENGTH = 64;
export const MAX_TITLE_LENGTH = 200;
/**
 * Distinct choices a write-in election accepts. The list of write-ins is one state value read
 * by every tally, so it is bounded like a fixed list, just more generously.
 */
export const MAX_WRITE_INS = 1_000;
/**
 * Bounds the list the schema accepts; in practice the kernel's transaction size limit
 * (MAX_TX_BYTES) allows about 240 keys per `election.open`.
 */
export const MAX_VOTERS = 10_000;

const PUBLIC_KEY = PUBLIC_KEY_SCHEMA;
// At least one character that is not white space: a blank choice or title says nothing.
const NOT_BLANK = '\\S';

export type Eligibility = 'open' | { voters: string[] };

export interface ElectionOpenPayload {
  id: string;
  title: string;
  /** A fixed list, or empty for write-in choices. */
  choices: string[];
  eligibility: Eligibility;
  /** Last height at which a ballot counts. */
  closesAt?: number;
  /** Encrypted ballots, a key ceremony among these trustees and a threshold decryption. */
  secret?: SecretSpec;
}

export interface BallotCastPayload {
  election: string;
  choice: string;
}

export interface ElectionClosePayload {
  election: string;
}

export const electionOpenSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'choices', 'eligibility'],
  properties: {
    id: { type: 'string', pattern: ELECTION_ID_PATTERN },
    title: { type: 'string', minLength: 1, maxLength: MAX_TITLE_LENGTH, pattern: NOT_BLANK },
    choices: {
      type: 'array',
      maxItems: MAX_CHOICES,
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: MAX_CHOICE_LENGTH, pattern: NOT_BLANK },
    },
    // if/then/else rather than oneOf, so a bad voter list is reported as such, not as "not 'open'".
    eligibility: {
      type: ['string', 'object'],
      if: { type: 'string' },
      then: { const: 'open' },
      else: {
        additionalProperties: false,
        required: ['voters'],
        properties: { voters: { type: 'array', minItems: 1, maxItems: MAX_VOTERS, uniqueItems: true, items: PUBLIC_KEY } },
      },
    },
    closesAt: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    secret: secretSpecSchema,
  },
} as const;

// The choice is only bounded here; whether it is valid for its election is a stateful rule
// (BALLOT_BAD_CHOICE), so a blank write-in gets the app's code, not a schema error.
export const ballotCastSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['election', 'choice'],
  properties: {
    election: { type: 'string', pattern: ELECTION_ID_PATTERN },
    choice: { type: 'string', minLength: 1, maxLength: MAX_CHOICE_LENGTH },
  },
} as const;

export const electionCloseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['election'],
  properties: { election: { type: 'string', pattern: ELECTION_ID_PATTERN } },
} as const;

/** `appParams.voting` in the chain parameters. */
export interface VotingParams {
  defaultElection?: { id: string; title: string; choices: string[] };
}

export const votingParamsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    defaultElection: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'title', 'choices'],
      properties: {
        id: electionOpenSchema.properties.id,
        title: electionOpenSchema.properties.title,
        choices: electionOpenSchema.properties.choices,
      },
    },
  },
} as const;
