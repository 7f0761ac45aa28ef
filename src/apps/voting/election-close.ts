import type { TxHandler } from '../../kernel/index.js';
import { electionOf, isClosedAt } from './ballot-cast.js';
import { rejection } from './errors.js';
import { electionCloseSchema, type ElectionClosePayload } from './schemas.js';
import { stateKeys, type ElectionRecord } from './state-keys.js';

/** `election.close`: only its creator may close an election (nobody, for the genesis election). */
export const electionClose: TxHandler<ElectionClosePayload> = {
  schema: electionCloseSchema,
  check(state, tx, ctx) {
    const election = electionOf(state, tx.payload.election);
    if (election.creator !== tx.from) throw rejection('ELECTION_NOT_CREATOR', `only the creator of election '${election.id}' may close it`);
    if (isClosedAt(election, ctx.height)) throw rejection('ELECTION_CLOSED', alreadyClosed(election));
  },
  apply(state, tx, ctx) {
    const election = electionOf(state, tx.payload.election);
    const closed: ElectionRecord = { ...election, closed: true, closedAt: ctx.height };
    state.put(stateKeys.election(election.id), closed);
    const turnout = state.get<number>(stateKeys.turnout(election.id)) ?? 0;
    ctx.emit('election.closed', { election: election.id, height: ctx.height, turnout });
  },
};

/** Closing twice is not "no more ballots": the election is closed already, and since when. */
function alreadyClosed(election: ElectionRecord): string {
  const since = election.closed ? `its creator closed it at height ${election.closedAt}` : `it closed after height ${election.closesAt}`;
  return `election '${election.id}' is already closed (${since})`;
}
