import type { StateView } from '../../../kernel/index.js';
import { electionOf } from '../ballot-cast.js';
import { rejection } from '../errors.js';
import type { ElectionRecord } from '../state-keys.js';
import type { ProofContext } from '../crypto/transcript.js';
import { secretKeys, type SecretRecord } from './state.js';

/** A secret election and its ceremony record, or ELECTION_UNKNOWN / ELECTION_NOT_SECRET. */
export function secretElectionOf(state: StateView, id: string): { election: ElectionRecord; secret: SecretRecord } {
  const election = electionOf(state, id);
  const secret = state.get<SecretRecord>(secretKeys.secret(id));
  if (!secret) throw rejection('ELECTION_NOT_SECRET', `election '${id}' has public ballots: vote with a plain choice`);
  return { election, secret };
}

/** The signer's place (1-based) in the trustee list, or TRUSTEE_UNKNOWN. */
export function trusteeNumber(secret: SecretRecord, electionId: string, from: string): number {
  const j = secret.trustees.indexOf(from) + 1;
  if (j === 0) throw rejection('TRUSTEE_UNKNOWN', `key ${from.slice(0, 12)}… is not a trustee of election '${electionId}'`);
  return j;
}

export function proofContext(chainId: string, electionId: string, signer: string): ProofContext {
  return { chainId, electionId, signer };
}

/** One sentence per phase, for refusals that depend on it. */
export function phaseSentence(id: string, secret: SecretRecord): string {
  switch (secret.phase) {
    case 'keys':
      return `election '${id}' is waiting for its trustees' ceremony keys (${secret.posted.length} of ${secret.trustees.length})`;
    case 'deals':
      return `election '${id}' is waiting for its trustees' deals (${secret.posted.length} of ${secret.trustees.length})`;
    case 'reviews':
      return `election '${id}' is waiting for its trustees' reviews (${secret.posted.length} of ${secret.trustees.length})`;
    case 'failed':
      return `the key ceremony of election '${id}' failed: ${secret.failure}`;
    case 'voting':
      return `election '${id}' has its key`;
  }
}
