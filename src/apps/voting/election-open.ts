import type { StateView, StateWriter, TxHandler } from '../../kernel/index.js';
import { rejection } from './errors.js';
import { electionOpenSchema, type ElectionOpenPayload } from './schemas.js';
import { stateKeys, type ElectionRecord } from './state-keys.js';
import { checkSecretSpec, secretEntries } from './secret/open-secret.js';

/**
 * The entries a new election adds: its record, a zero count per fixed choice (so a ballot
 * checks its choice with one lookup), its voter list as one key per voter (so eligibility is
 * one lookup too), and its turnout. Shared by the transaction and the genesis election.
 */
export function electionEntries(payload: ElectionOpenPayload, creator: string | null, height: number): Array<[string, unknown]> {
  const { id } = payload;
  const voters = payload.eligibility === 'open' ? [] : payload.eligibility.voters;
  const record: ElectionRecord = {
    id,
    title: payload.title,
    choices: payload.choices,
    writeIn: payload.choices.length === 0,
    eligibility: payload.eligibility === 'open' ? 'open' : 'list',
    voters: voters.length,
    creator,
    closesAt: payload.closesAt ?? null,
    closed: false,
    closedAt: null,
    openedAt: height,
  };
  if (payload.secret) record.secret = true;
  const entries: Array<[string, unknown]> = [
    [stateKeys.election(id), record],
    [stateKeys.turnout(id), 0],
  ];
  for (const choice of payload.choices) entries.push([stateKeys.votes(id, choice), 0]);
  if (record.writeIn) entries.push([stateKeys.written(id), []]);
  for (const voter of voters) entries.push([stateKeys.voter(id, voter), true]);
  if (payload.secret) entries.push(...secretEntries(payload, payload.secret));
  return entries;
}

export function checkNewElection(state: StateView, payload: ElectionOpenPayload, height: number): void {
  if (state.has(stateKeys.election(payload.id))) throw rejection('ELECTION_EXISTS', `an election '${payload.id}' already exists`);
  if (payload.closesAt !== undefined && payload.closesAt <= height) {
    throw rejection('ELECTION_BAD_CLOSES_AT', `the closing height ${payload.closesAt} must be above the opening height ${height}`);
  }
  if (payload.secret) checkSecretSpec(payload, payload.secret);
}

/** `election.open`: anyone may open an election; its signer becomes its creator. */
export const electionOpen: TxHandler<ElectionOpenPayload> = {
  schema: electionOpenSchema,
  check(state, tx, ctx) {
    checkNewElection(state, tx.payload, ctx.height);
  },
  apply(state: StateWriter, tx, ctx) {
    for (const [key, value] of electionEntries(tx.payload, tx.from, ctx.height)) state.put(key, value);
    state.put(stateKeys.elections, [...(state.get<string[]>(stateKeys.elections) ?? []), tx.payload.id]);
    ctx.emit('election.opened', { election: tx.payload.id, title: tx.payload.title, creator: tx.from, height: ctx.height });
  },
};
