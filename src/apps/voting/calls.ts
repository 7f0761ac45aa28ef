import { VOTING_APP_ID } from './app-id.js';
import type { BallotCastPayload, ElectionClosePayload, ElectionOpenPayload, Eligibility } from './schemas.js';
import type { SecretSpec } from './secret/schemas.js';

/** What a client signs (with the kernel's `signTx`, adding `from` and `nonce`). */
export interface VotingCall<T extends string, P> {
  app: typeof VOTING_APP_ID;
  type: T;
  payload: P;
}

export function openElection(options: {
  id: string;
  title: string;
  choices?: string[];
  /** Default 'open': any key, one ballot each. */
  eligibility?: Eligibility;
  closesAt?: number;
  /** Encrypted ballots with this key ceremony. */
  secret?: SecretSpec;
}): VotingCall<'election.open', ElectionOpenPayload> {
  const payload: ElectionOpenPayload = {
    id: options.id,
    title: options.title,
    choices: options.choices ?? [],
    eligibility: options.eligibility ?? 'open',
  };
  if (options.closesAt !== undefined) payload.closesAt = options.closesAt;
  if (options.secret !== undefined) payload.secret = options.secret;
  return { app: VOTING_APP_ID, type: 'election.open', payload };
}

export function castBallot(election: string, choice: string): VotingCall<'ballot.cast', BallotCastPayload> {
  return { app: VOTING_APP_ID, type: 'ballot.cast', payload: { election, choice } };
}

export function closeElection(election: string): VotingCall<'election.close', ElectionClosePayload> {
  return { app: VOTING_APP_ID, type: 'election.close', payload: { election } };
}

/** A secret-election transaction: a ceremony step, an encrypted ballot or a decryption, as `secret/trustee.ts` and `secret/voter.ts` build them. */
export function secretCall<T extends string, P>(step: { type: T; payload: P }): VotingCall<T, P> {
  return { app: VOTING_APP_ID, type: step.type, payload: step.payload };
}
