import type { StateView, StateWriter, TxContext } from '../../../kernel/index.js';
import { isClosedAt, closedReason } from '../ballot-cast.js';
import { rejection } from '../errors.js';
import { phaseSentence, secretElectionOf, trusteeNumber } from './election-kind.js';
import { secretKeys, type CeremonyPhase, type SecretRecord } from './state.js';

const NEXT: Partial<Record<CeremonyPhase, CeremonyPhase>> = { keys: 'deals', deals: 'reviews' };

/**
 * The rules every ceremony message shares: a secret election, still open, in this message's
 * round, from one of its trustees, once. Returns the trustee's number.
 */
export function checkRound(
  state: StateView,
  electionId: string,
  from: string,
  height: number,
  round: CeremonyPhase,
): { j: number; secret: SecretRecord } {
  const { election, secret } = secretElectionOf(state, electionId);
  const j = trusteeNumber(secret, electionId, from);
  if (isClosedAt(election, height)) throw rejection('ELECTION_CLOSED', closedReason(election));
  if (secret.phase !== round) {
    const why = secret.phase === 'voting' || secret.phase === 'failed' ? 'the key ceremony is over' : phaseSentence(electionId, secret);
    throw rejection('CEREMONY_WRONG_ROUND', `a ${ROUND_NAMES[round]} is not accepted now: ${why}`);
  }
  if (secret.posted.includes(j))
    throw rejection('CEREMONY_DUPLICATE', `trustee ${j} has already posted its ${ROUND_NAMES[round]} for election '${electionId}'`);
  return { j, secret };
}

const ROUND_NAMES: Record<CeremonyPhase, string> = {
  keys: 'ceremony key',
  deals: 'deal',
  reviews: 'review',
  voting: 'ballot',
  failed: 'ballot',
};

/**
 * Records trustee j's message of the current round; the round ends when every trustee has
 * posted. Returns the record as written, so the last review can finish the ceremony.
 */
export function advanceRound(state: StateWriter, electionId: string, secret: SecretRecord, j: number, ctx: TxContext): SecretRecord {
  const posted = [...secret.posted, j].sort((a, b) => a - b);
  const done = posted.length === secret.trustees.length;
  const next: SecretRecord = { ...secret, posted: done ? [] : posted, phase: done ? (NEXT[secret.phase] ?? secret.phase) : secret.phase };
  state.put(secretKeys.secret(electionId), next);
  ctx.emit('ceremony.posted', { election: electionId, trustee: j, round: secret.phase, complete: done });
  return next;
}
