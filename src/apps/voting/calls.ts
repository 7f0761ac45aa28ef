import { VOTING_APP_ID } from './app-id.js';
import type { BallotCastPayload, ElectionClosePayload, ElectionOpenPayload, Eligibility } from './schemas.js';

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
}): VotingCall<'election.open', ElectionOpenPayload> {
  const payload: ElectionOpenPayload = {
    id: options.id,
    title: options.title,
    choices: options.choices ?? [],
    eligibility: options.eligibility ?? 'open',
  };
  if (options.closesAt !== undefined) payload.closesAt = options.closesAt;
  return { app: VOTING_APP_ID, type: 'election.open', payload };
}

export function castBallot(election: string, choice: string): VotingCall<'ballot.cast', BallotCastPayload> {
  return { app: VOTING_APP_ID, type: 'ballot.cast', payload: { election, choice } };
}

export function closeElection(election: string): VotingCall<'election.close', ElectionClosePayload> {
  return { app: VOTING_APP_ID, type: 'election.close', payload: { election } };
}
