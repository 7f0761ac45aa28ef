import { Ajv } from 'ajv';
import { ConfigError, defineApp } from '../../kernel/index.js';
import { ballotCast } from './ballot-cast.js';
import { electionClose } from './election-close.js';
import { electionEntries, electionOpen } from './election-open.js';
import * as queries from './queries.js';
import {
  votingParamsSchema,
  type BallotCastPayload,
  type ElectionClosePayload,
  type ElectionOpenPayload,
  type Eligibility,
  type VotingParams,
} from './schemas.js';
import { stateKeys } from './state-keys.js';

export const VOTING_APP_ID = 'voting';

/** The genesis parameters of `cairn devnet`: one write-in election named `default`. */
export const DEVNET_VOTING_PARAMS: VotingParams = { defaultElection: { id: 'default', title: 'Default election', choices: [] } };

const validateParams = new Ajv({ strict: false, allErrors: false }).compile(votingParamsSchema);

/**
 * The chain's initial voting state from `appParams.voting`. A `defaultElection` is a write-in
 * or fixed-choice election open to any key and owned by nobody (so nobody can close it): the
 * original student project's flow, where anyone types a choice. Without `appParams.voting`
 * the chain gets the devnet's `default` election, so `cairn node start --app voting` works
 * as the original did; `{}` asks for no election at all.
 */
export function genesis(params: unknown): Record<string, unknown> {
  const p = (params ?? DEVNET_VOTING_PARAMS) as VotingParams;
  if (!validateParams(p)) {
    const e = validateParams.errors![0]!;
    throw new ConfigError('APP_PARAMS_INVALID', `appParams.voting${e.instancePath.replace(/\//g, '.')} ${e.message ?? 'is invalid'}`);
  }
  const state: Record<string, unknown> = { [stateKeys.elections]: [] };
  if (p.defaultElection) {
    const { id, title, choices } = p.defaultElection;
    for (const [key, value] of electionEntries({ id, title, choices, eligibility: 'open' }, null, 0)) state[key] = value;
    state[stateKeys.elections] = [id];
  }
  return state;
}

export const votingApp = defineApp({
  id: VOTING_APP_ID,
  description: 'Elections with Ed25519-signed ballots: one ballot per voter, eligibility lists, live tallies and inclusion receipts',
  genesis,
  tx: {
    'election.open': electionOpen,
    'ballot.cast': ballotCast,
    'election.close': electionClose,
  },
  queries: { ...queries },
});

export default votingApp;

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

export { VOTING_REJECTION_CODES, type VotingRejectionCode } from './errors.js';
export type { ElectionDetails, ElectionSummary, Receipt, Tally } from './queries.js';
export {
  ELECTION_ID_PATTERN,
  MAX_CHOICES,
  MAX_CHOICE_LENGTH,
  MAX_VOTERS,
  type BallotCastPayload,
  type ElectionClosePayload,
  type ElectionOpenPayload,
  type Eligibility,
  type VotingParams,
} from './schemas.js';
export { stateKeys, type BallotRecord, type ElectionRecord } from './state-keys.js';
