import { HASH_RE, type Query, type StateView } from '../../kernel/index.js';
import { rejection } from './errors.js';
import { ELECTION_ID_PATTERN } from './schemas.js';
import { stateKeys, type BallotRecord, type ElectionRecord } from './state-keys.js';
import { sealedReceipt, secretResultOf } from './secret/queries.js';
import { secretKeys, type CeremonyPhase, type SecretRecord } from './secret/state.js';

export { secretElection, tracking } from './secret/queries.js';

export interface ElectionSummary {
  id: string;
  title: string;
  choices: string[];
  writeIn: boolean;
  eligibility: 'open' | 'list';
  creator: string | null;
  /** Closed by its creator. Queries do not know the tip height: compare it with `closesAt` too. */
  closed: boolean;
  closesAt: number | null;
  turnout: number;
  /** Present for a secret election. */
  secret?: SecretSummary;
}

export interface SecretSummary {
  phase: CeremonyPhase;
  trustees: number;
  threshold: number;
  revote: boolean;
  min: number;
  max: number;
  /** Valid decryption shares on the chain, and whether the result is known. */
  decrypted: number;
  result: boolean;
}

export interface ElectionDetails extends ElectionSummary {
  voters: number;
  openedAt: number;
  closedAt: number | null;
}

export interface Tally {
  election: string;
  /** Most votes first, ties by choice in code-point order. */
  choices: Array<{ choice: string; votes: number }>;
  turnout: number;
  closed: boolean;
  closesAt: number | null;
  /** A secret election: `choices` is empty until the trustees have decrypted the sums. */
  sealed?: boolean;
}

export type Receipt =
  | { counted: true; choice: string; height: number; blockHash: string; txId: string }
  | { counted: true; tracking: string; height: number; blockHash: string; txId: string; replaces: number }
  | { counted: false };

const electionId = new RegExp(ELECTION_ID_PATTERN);
const publicKey = HASH_RE;

/**
 * A string argument. Over HTTP an argument that parses as JSON arrives decoded, so a numeric
 * election id such as `2026` comes as a number and is taken back as its text.
 */
function arg(args: Record<string, unknown> | undefined, name: string, pattern: RegExp, what: string): string {
  let value = args?.[name];
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) value = String(value);
  if (typeof value !== 'string' || !pattern.test(value)) throw rejection('QUERY_BAD_ARGS', `'${name}' must be ${what}`);
  return value;
}

const electionArg = (args: Record<string, unknown> | undefined, name: string) => arg(args, name, electionId, 'an election id');

function known(state: StateView, id: string): ElectionRecord {
  const election = state.get<ElectionRecord>(stateKeys.election(id));
  if (!election) throw rejection('ELECTION_UNKNOWN', `there is no election '${id}'`);
  return election;
}

function secretSummary(state: StateView, e: ElectionRecord): SecretSummary | undefined {
  if (!e.secret) return undefined;
  const s = state.get<SecretRecord>(secretKeys.secret(e.id))!;
  return {
    phase: s.phase,
    trustees: s.trustees.length,
    threshold: s.threshold,
    revote: s.revote,
    min: s.min,
    max: s.max,
    decrypted: s.decrypted.length,
    result: state.has(secretKeys.result(e.id)),
  };
}

function summary(state: StateView, e: ElectionRecord): ElectionSummary {
  const secret = secretSummary(state, e);
  return {
    id: e.id,
    title: e.title,
    choices: e.choices,
    writeIn: e.writeIn,
    eligibility: e.eligibility,
    creator: e.creator,
    closed: e.closed,
    closesAt: e.closesAt,
    turnout: state.get<number>(stateKeys.turnout(e.id)) ?? 0,
    ...(secret ? { secret } : {}),
  };
}

/** Every election, in the order they were opened: O(elections). */
export const elections: Query = (state): ElectionSummary[] =>
  (state.get<string[]>(stateKeys.elections) ?? []).map((id) => summary(state, known(state, id)));

export const election: Query = (state, args): ElectionDetails => {
  const e = known(state, electionArg(args, 'id'));
  return { ...summary(state, e), voters: e.voters, openedAt: e.openedAt, closedAt: e.closedAt };
};

/** O(choices): one counter per choice, kept by the reducer. */
export const tally: Query = (state, args): Tally => {
  const e = known(state, electionArg(args, 'election'));
  if (e.secret) return secretTally(state, e);
  const names = e.writeIn ? (state.get<string[]>(stateKeys.written(e.id)) ?? []) : e.choices;
  const choices = names.map((choice) => ({ choice, votes: state.get<number>(stateKeys.votes(e.id, choice)) ?? 0 }));
  choices.sort(byVotes);
  return { election: e.id, choices, turnout: state.get<number>(stateKeys.turnout(e.id)) ?? 0, closed: e.closed, closesAt: e.closesAt };
};

function byVotes(a: { choice: string; votes: number }, b: { choice: string; votes: number }): number {
  return b.votes - a.votes || (a.choice < b.choice ? -1 : a.choice > b.choice ? 1 : 0);
}

/** Nobody, not even this node, knows a secret election's counts before its trustees decrypt them. */
function secretTally(state: StateView, e: ElectionRecord): Tally {
  const result = secretResultOf(state, e.id);
  const choices = result ? e.choices.map((choice, i) => ({ choice, votes: result.counts[i]! })).sort(byVotes) : [];
  return {
    election: e.id,
    choices,
    turnout: state.get<number>(stateKeys.turnout(e.id)) ?? 0,
    closed: e.closed,
    closesAt: e.closesAt,
    sealed: !result,
  };
}

/** Whether a voter's ballot is counted on this node's best chain, and in which block. */
export const receipt: Query = (state, args): Receipt => {
  const id = electionArg(args, 'election');
  const voter = arg(args, 'voter', publicKey, 'a public key (64 hex digits)');
  if (known(state, id).secret) return sealedReceipt(state, id, voter);
  const ballot = state.get<BallotRecord>(stateKeys.ballot(id, voter));
  if (!ballot?.blockHash) return { counted: false };
  return { counted: true, choice: ballot.choice, height: ballot.height, blockHash: ballot.blockHash, txId: ballot.txId };
};

/** Whether a key may vote in an election (on the list, or any key for an open one); says nothing of having voted. */
export const eligible: Query = (state, args): boolean => {
  const id = electionArg(args, 'election');
  const voter = arg(args, 'voter', publicKey, 'a public key (64 hex digits)');
  const e = known(state, id);
  return e.eligibility === 'open' || state.has(stateKeys.voter(id, voter));
};
