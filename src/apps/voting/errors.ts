import { AppRejection } from '../../kernel/index.js';

/** Every code the voting app refuses with; stable, so tests, scripts and the CLI can rely on them. */
export const VOTING_REJECTION_CODES = [
  'ELECTION_UNKNOWN',
  'ELECTION_EXISTS',
  'ELECTION_CLOSED',
  'ELECTION_NOT_CREATOR',
  'ELECTION_BAD_CLOSES_AT',
  'BALLOT_NOT_ELIGIBLE',
  'BALLOT_BAD_CHOICE',
  'BALLOT_DUPLICATE',
  'QUERY_BAD_ARGS',
  // Secret elections (src/apps/voting/secret).
  'ELECTION_BAD_SECRET',
  'ELECTION_SECRET',
  'ELECTION_NOT_SECRET',
  'ELECTION_NOT_READY',
  'TRUSTEE_UNKNOWN',
  'CEREMONY_WRONG_ROUND',
  'CEREMONY_DUPLICATE',
  'CEREMONY_BAD_KEY',
  'CEREMONY_BAD_DEAL',
  'CEREMONY_BAD_COMPLAINT',
  'BALLOT_MALFORMED',
  'BALLOT_BAD_PROOF',
  'DECRYPT_TOO_EARLY',
  'DECRYPT_NOT_QUALIFIED',
  'DECRYPT_DUPLICATE',
  'DECRYPT_BAD_SHARE',
  'DECRYPT_DONE',
] as const;
export type VotingRejectionCode = (typeof VOTING_REJECTION_CODES)[number];

export function rejection(code: VotingRejectionCode, message: string, details?: Record<string, unknown>): AppRejection {
  return new AppRejection(code, message, details);
}
