import type { StateView, TxHandler } from '../../kernel/index.js';
import { rejection } from './errors.js';
import { ballotCastSchema, MAX_WRITE_INS, type BallotCastPayload } from './schemas.js';
import { stateKeys, type BallotRecord, type ElectionRecord } from './state-keys.js';

/** Whether no more ballots count at `height`: closed by its creator, or past its closing height. */
export function isClosedAt(election: ElectionRecord, height: number): boolean {
  return election.closed || (election.closesAt !== null && height > election.closesAt);
}

/** The election a payload names, or ELECTION_UNKNOWN. */
export function electionOf(state: StateView, id: string): ElectionRecord {
  const election = state.get<ElectionRecord>(stateKeys.election(id));
  if (!election) throw rejection('ELECTION_UNKNOWN', `there is no election '${id}'`);
  return election;
}

export function closedReason(election: ElectionRecord): string {
  return election.closed
    ? `election '${election.id}' was closed by its creator at height ${election.closedAt}`
    : `election '${election.id}' closed after height ${election.closesAt}`;
}

function checkChoice(state: StateView, election: ElectionRecord, choice: string): void {
  const known = state.has(stateKeys.votes(election.id, choice));
  if (!election.writeIn) {
    if (!known)
      throw rejection('BALLOT_BAD_CHOICE', `'${choice}' is not a choice of election '${election.id}' (${election.choices.join(', ')})`);
    return;
  }
  if (choice.trim() === '') throw rejection('BALLOT_BAD_CHOICE', 'a write-in choice must not be blank');
  // Only a new write-in reads the list, and its reducer rewrites that list anyway.
  if (!known && (state.get<string[]>(stateKeys.written(election.id))?.length ?? 0) >= MAX_WRITE_INS) {
    throw rejection('BALLOT_BAD_CHOICE', `election '${election.id}' has reached ${MAX_WRITE_INS} write-in choices: vote for one of them`);
  }
}

/**
 * `ballot.cast`: one ballot per voter (the signer) per election. The kernel's signature covers
 * the chain id and the whole payload, so a ballot cannot be replayed on another chain or moved
 * to another election. Every rule is a constant number of key lookups.
 */
export const ballotCast: TxHandler<BallotCastPayload> = {
  schema: ballotCastSchema,
  check(state, tx, ctx) {
    const { election: id, choice } = tx.payload;
    const election = electionOf(state, id);
    if (election.secret)
      throw rejection(
        'ELECTION_SECRET',
        `election '${id}' has secret ballots: a choice is encrypted (cairn vote cast does it), not sent in the clear`,
      );
    if (isClosedAt(election, ctx.height)) throw rejection('ELECTION_CLOSED', closedReason(election));
    if (election.eligibility === 'list' && !state.has(stateKeys.voter(id, tx.from))) {
      throw rejection('BALLOT_NOT_ELIGIBLE', `key ${tx.from.slice(0, 12)}… is not on the voter list of election '${id}'`);
    }
    checkChoice(state, election, choice);
    if (state.has(stateKeys.ballot(id, tx.from)))
      throw rejection('BALLOT_DUPLICATE', `key ${tx.from.slice(0, 12)}… has already voted in election '${id}'`);
  },
  apply(state, tx, ctx) {
    const { election: id, choice } = tx.payload;
    const votesKey = stateKeys.votes(id, choice);
    const votes = state.get<number>(votesKey);
    // Only a write-in choice can be missing (fixed choices start at 0): its first ballot lists it.
    if (votes === undefined) state.put(stateKeys.written(id), [...(state.get<string[]>(stateKeys.written(id)) ?? []), choice]);
    state.put(votesKey, (votes ?? 0) + 1);
    state.put(stateKeys.turnout(id), (state.get<number>(stateKeys.turnout(id)) ?? 0) + 1);
    const receipt: BallotRecord = { choice, height: ctx.height, blockHash: ctx.blockHash, txId: ctx.txId };
    state.put(stateKeys.ballot(id, tx.from), receipt);
    ctx.emit('ballot.counted', { election: id, voter: tx.from, choice });
  },
};
