import { Ajv } from 'ajv';
import { ConfigError, defineApp, describeSchemaError, dottedPath } from '../../kernel/index.js';
import { VOTING_APP_ID } from './app-id.js';
import { ballotCast } from './ballot-cast.js';
import { electionClose } from './election-close.js';
import { electionEntries, electionOpen } from './election-open.js';
import { votingFaults } from './faults/index.js';
import * as queries from './queries.js';
import { votingParamsSchema, type VotingParams } from './schemas.js';
import { stateKeys } from './state-keys.js';
import { ballotEncrypted } from './secret/ballot-encrypted.js';
import { trusteeDeal } from './secret/trustee-deal.js';
import { trusteeDecrypt } from './secret/trustee-decrypt.js';
import { trusteeKey } from './secret/trustee-key.js';
import { trusteeReview } from './secret/trustee-review.js';

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
    const why = describeSchemaError(e, {
      data: p,
      schema: votingParamsSchema,
      name: (path) => ['appParams.voting', dottedPath(path)].filter(Boolean).join('.'),
    });
    throw new ConfigError('APP_PARAMS_INVALID', why);
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
  description:
    'Elections with Ed25519-signed ballots: one ballot per voter, eligibility lists, live tallies and inclusion receipts; secret elections with encrypted ballots and a threshold tally anyone can verify',
  genesis,
  tx: {
    'election.open': electionOpen,
    'ballot.cast': ballotCast,
    'election.close': electionClose,
    'trustee.key': trusteeKey,
    'trustee.deal': trusteeDeal,
    'trustee.review': trusteeReview,
    'ballot.encrypted': ballotEncrypted,
    'trustee.decrypt': trusteeDecrypt,
  },
  queries: { ...queries },
  faults: votingFaults,
});

export default votingApp;

export { VOTING_APP_ID } from './app-id.js';
export { castBallot, closeElection, openElection, secretCall, type VotingCall } from './calls.js';
export { VOTING_REJECTION_CODES, type VotingRejectionCode } from './errors.js';
export type { ElectionDetails, ElectionSummary, Receipt, SecretSummary, Tally } from './queries.js';
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
export * from './secret/index.js';
