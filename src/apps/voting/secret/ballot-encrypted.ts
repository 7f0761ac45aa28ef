import { refusedAs } from './crypto-refusal.js';
import type { StateView, TxHandler } from '../../../kernel/index.js';
import { closedReason, isClosedAt } from '../ballot-cast.js';
import { decodeBallot, verifyBallot, type EncryptedBallot } from '../crypto/ballot.js';
import { addCiphertexts, decodeCiphertext, encodeCiphertext, subCiphertexts, type CiphertextJson } from '../crypto/elgamal.js';
import { decodePoint } from '../crypto/group.js';
import { rejection } from '../errors.js';
import { stateKeys, type ElectionRecord } from '../state-keys.js';
import { phaseSentence, proofContext, secretElectionOf } from './election-kind.js';
import { ballotEncryptedSchema, type BallotEncryptedPayload } from './schemas.js';
import { secretKeys, type SealedBallot, type SecretRecord, type TrackedBallot } from './state.js';
import { trackingCode } from './tracking-code.js';

/** Decoding and proofs, each failure under its own code: a bad encoding is malformed, a bad proof is a lie. */
function verified(
  chainId: string,
  election: ElectionRecord,
  secret: SecretRecord,
  voter: string,
  payload: BallotEncryptedPayload,
): EncryptedBallot {
  const rule = { choices: election.choices.length, min: secret.min, max: secret.max };
  if (payload.ballot.selections.length !== rule.choices)
    throw rejection(
      'BALLOT_MALFORMED',
      `the ballot has ${payload.ballot.selections.length} selections; election '${election.id}' has ${rule.choices} choices`,
    );
  const ballot = refusedAs('BALLOT_MALFORMED', 'the ballot does not decode', () => decodeBallot(payload.ballot));
  refusedAs('BALLOT_BAD_PROOF', "the ballot's proofs do not verify for this voter", () =>
    verifyBallot(proofContext(chainId, election.id, voter), decodePoint(secret.key, 'election key'), rule, ballot),
  );
  return ballot;
}

function checkOpen(state: StateView, id: string, voter: string, height: number): { election: ElectionRecord; secret: SecretRecord } {
  const { election, secret } = secretElectionOf(state, id);
  if (isClosedAt(election, height)) throw rejection('ELECTION_CLOSED', closedReason(election));
  if (secret.phase !== 'voting') throw rejection('ELECTION_NOT_READY', `no ballot can be encrypted yet: ${phaseSentence(id, secret)}`);
  if (election.eligibility === 'list' && !state.has(stateKeys.voter(id, voter)))
    throw rejection('BALLOT_NOT_ELIGIBLE', `key ${voter.slice(0, 12)}… is not on the voter list of election '${id}'`);
  if (!secret.revote && state.has(secretKeys.sealed(id, voter)))
    throw rejection('BALLOT_DUPLICATE', `key ${voter.slice(0, 12)}… has already voted in election '${id}' (it does not allow revoting)`);
  return { election, secret };
}

/**
 * `ballot.encrypted`: a secret ballot, one ciphertext per choice with its proofs bound to the
 * signer. The reducer adds it to the running sums (a revote first subtracts the voter's earlier
 * ciphertexts), so the tally is O(choices) state and constant work per ballot.
 */
export const ballotEncrypted: TxHandler<BallotEncryptedPayload> = {
  schema: ballotEncryptedSchema,
  check(state, tx, ctx) {
    const { election, secret } = checkOpen(state, tx.payload.election, tx.from, ctx.height);
    verified(ctx.chainId, election, secret, tx.from, tx.payload);
  },
  apply(state, tx, ctx) {
    const id = tx.payload.election;
    checkOpen(state, id, tx.from, ctx.height);
    const selections: CiphertextJson[] = tx.payload.ballot.selections.map(({ a, b }) => ({ a, b }));
    const earlier = state.get<SealedBallot>(secretKeys.sealed(id, tx.from));
    let sums = state.get<CiphertextJson[]>(secretKeys.sums(id))!.map((s) => decodeCiphertext(s));
    if (earlier) {
      sums = sums.map((s, i) => subCiphertexts(s, decodeCiphertext(earlier.selections[i]!)));
      const old = state.get<TrackedBallot>(secretKeys.tracking(id, earlier.tracking));
      if (old) state.put(secretKeys.tracking(id, earlier.tracking), { ...old, replacedAt: ctx.height });
    } else {
      state.put(stateKeys.turnout(id), (state.get<number>(stateKeys.turnout(id)) ?? 0) + 1);
    }
    sums = sums.map((s, i) => addCiphertexts(s, decodeCiphertext(selections[i]!)));
    state.put(secretKeys.sums(id), sums.map(encodeCiphertext));
    const tracking = trackingCode(ctx.chainId, id, tx.from, tx.payload.ballot);
    const sealed: SealedBallot = {
      tracking,
      selections,
      height: ctx.height,
      blockHash: ctx.blockHash,
      txId: ctx.txId,
      replaces: earlier ? earlier.replaces + 1 : 0,
    };
    state.put(secretKeys.sealed(id, tx.from), sealed);
    const tracked: TrackedBallot = { voter: tx.from, height: ctx.height, blockHash: ctx.blockHash, txId: ctx.txId, replacedAt: null };
    state.put(secretKeys.tracking(id, tracking), tracked);
    ctx.emit('ballot.counted', { election: id, voter: tx.from, tracking, revote: Boolean(earlier) });
  },
};
