import { auditBallot, encodeBallot, encryptBallot, selectionVector, type BallotSecrets, type EncryptedBallot } from '../crypto/ballot.js';
import { decodePoint, encodeScalar } from '../crypto/group.js';
import type { SecretElectionView } from './queries.js';
import type { BallotEncryptedPayload } from './schemas.js';
import { rejection } from '../errors.js';
import { trackingCode } from './tracking-code.js';

/** "1 choice", "from 0 to 2 choices": a ballot's rule in words. */
export function selectionRule(rule: { min: number; max: number }): string {
  const plural = (n: number) => `${n} choice${n === 1 ? '' : 's'}`;
  return rule.min === rule.max ? plural(rule.min) : `from ${rule.min} to ${plural(rule.max)}`;
}

/** What a secret election's voter needs to know of it: its key and its rule. */
export type BallotTerms = Pick<SecretElectionView, 'election' | 'choices' | 'key' | 'min' | 'max'>;

export interface SealedBallotDraft {
  payload: BallotEncryptedPayload;
  tracking: string;
  ballot: EncryptedBallot;
  secrets: BallotSecrets;
}

/** A ballot for the chosen choices, encrypted and proved for this voter; nothing leaves the device but `payload`. */
export function sealBallot(chainId: string, terms: BallotTerms, voter: string, chosen: readonly string[]): SealedBallotDraft {
  if (!terms.key) throw rejection('ELECTION_NOT_READY', `election '${terms.election}' has no key yet: its key ceremony is not finished`);
  const indices = chosen.map((c) => {
    const i = terms.choices.indexOf(c);
    if (i < 0) throw rejection('BALLOT_BAD_CHOICE', `'${c}' is not a choice of election '${terms.election}' (${terms.choices.join(', ')})`);
    return i;
  });
  if (new Set(indices).size !== indices.length) throw rejection('BALLOT_BAD_CHOICE', 'a choice is selected twice on this ballot');
  if (indices.length < terms.min || indices.length > terms.max)
    throw rejection('BALLOT_BAD_CHOICE', `election '${terms.election}' takes ${selectionRule(terms)} on a ballot, not ${indices.length}`);
  const rule = { choices: terms.choices.length, min: terms.min, max: terms.max };
  const vector = selectionVector(rule, indices);
  const ctx = { chainId, electionId: terms.election, signer: voter };
  const { ballot, secrets } = encryptBallot(ctx, decodePoint(terms.key, 'election key'), rule, vector);
  const json = encodeBallot(ballot);
  const payload = { election: terms.election, ballot: json };
  return { payload, tracking: trackingCode(chainId, terms.election, voter, json), ballot, secrets };
}

/** A Benaloh audit of a draft: what the device claims it encrypted, and whether re-encrypting agrees. */
export function auditDraft(terms: BallotTerms, draft: SealedBallotDraft): { matches: boolean; selections: string[]; randomness: string[] } {
  const matches = auditBallot(decodePoint(terms.key, 'election key'), draft.ballot, draft.secrets);
  return {
    matches,
    selections: terms.choices.filter((_, i) => draft.secrets.selections[i] === 1),
    randomness: draft.secrets.randomness.map(encodeScalar),
  };
}
