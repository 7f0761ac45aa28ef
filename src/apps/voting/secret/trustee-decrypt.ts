import { refusedAs } from './crypto-refusal.js';
import type { StateView, StateWriter, TxContext, TxHandler } from '../../../kernel/index.js';
import { isClosedAt } from '../ballot-cast.js';
import { decodeCiphertext, type CiphertextJson } from '../crypto/elgamal.js';
import { CryptoError } from '../crypto/errors.js';
import { decodePoint } from '../crypto/group.js';
import { decodeSchnorr } from '../crypto/proofs/schnorr.js';
import { combineShares, verifyDecryptionShare } from '../crypto/threshold.js';
import { smallDiscreteLog } from '../crypto/dlog.js';
import { rejection } from '../errors.js';
import { stateKeys, type ElectionRecord } from '../state-keys.js';
import { phaseSentence, proofContext, secretElectionOf, trusteeNumber } from './election-kind.js';
import { trusteeDecryptSchema, type TrusteeDecryptPayload } from './schemas.js';
import { secretKeys, type DecryptionRecord, type SecretRecord, type SecretResult } from './state.js';

type DecryptTx = { from: string; payload: TrusteeDecryptPayload };

/** The rules of a decryption that do not need its proofs. */
function checkRules(
  state: StateView,
  tx: DecryptTx,
  ctx: TxContext,
): { j: number; q: number; secret: SecretRecord; election: ElectionRecord } {
  const id = tx.payload.election;
  const { election, secret } = secretElectionOf(state, id);
  const j = trusteeNumber(secret, id, tx.from);
  if (secret.phase !== 'voting') throw rejection('DECRYPT_TOO_EARLY', `there is nothing to decrypt: ${phaseSentence(id, secret)}`);
  if (!isClosedAt(election, ctx.height))
    throw rejection(
      'DECRYPT_TOO_EARLY',
      `election '${id}' is still open: a decryption share before the close would reveal a partial tally`,
    );
  if (state.has(secretKeys.result(id))) throw rejection('DECRYPT_DONE', `election '${id}' is already decrypted`);
  const q = secret.qualified.indexOf(j);
  if (q < 0)
    throw rejection(
      'DECRYPT_NOT_QUALIFIED',
      `trustee ${j} was disqualified in the key ceremony of election '${id}' and holds no key share`,
    );
  if (secret.decrypted.includes(j))
    throw rejection('DECRYPT_DUPLICATE', `trustee ${j} has already posted its decryption of election '${id}'`);
  return { j, q, secret, election };
}

/** Every share's proof, against the trustee's verification key and its choice's sum. */
function checkProofs(state: StateView, tx: DecryptTx, ctx: TxContext): void {
  const id = tx.payload.election;
  const { j, q, secret, election } = checkRules(state, tx, ctx);
  const sums = state.get<CiphertextJson[]>(secretKeys.sums(id))!;
  if (tx.payload.shares.length !== sums.length)
    throw rejection('DECRYPT_BAD_SHARE', `a decryption holds one share per choice (${sums.length}), not ${tx.payload.shares.length}`);
  const big = decodePoint(secret.verificationKeys[q], 'verification key');
  const pctx = proofContext(ctx.chainId, id, tx.from);
  const ballots = state.get<number>(stateKeys.turnout(id)) ?? 0;
  tx.payload.shares.forEach((share, i) => {
    const sum = decodeCiphertext(sums[i]!);
    refusedAs(
      'DECRYPT_BAD_SHARE',
      `trustee ${j}'s decryption is refused`,
      () => {
        const d = decodePoint(share.d, `share ${i}.d`, sum.a.is0());
        if (!verifyDecryptionShare(pctx, { index: i, sum, ballots }, big, d, decodeSchnorr(share.proof, `share ${i}.proof`)))
          throw new CryptoError(
            'PROOF_INVALID',
            `the proof of the share for choice ${i} ('${election.choices[i]}') does not verify against trustee ${j}'s verification key`,
          );
      },
      { choice: i },
    );
  });
}

/** With k shares on the chain: combined by Lagrange at 0, and each count found by baby-step giant-step. */
function combine(state: StateWriter, election: ElectionRecord, secret: SecretRecord, ctx: TxContext): SecretResult {
  const id = election.id;
  const trustees = secret.decrypted.slice(0, secret.threshold);
  const records = trustees.map((j) => state.get<DecryptionRecord>(secretKeys.decryption(id, j))!);
  const turnout = state.get<number>(stateKeys.turnout(id)) ?? 0;
  const counts = state.get<CiphertextJson[]>(secretKeys.sums(id))!.map((sum, i) => {
    const ct = decodeCiphertext(sum);
    const shares = trustees.map((j, t) => ({ index: j, d: decodePoint(records[t]!.shares[i]!.d, 'share', true) }));
    return smallDiscreteLog(combineShares(ct, shares, secret.threshold), turnout);
  });
  return { counts, trustees, height: ctx.height };
}

/**
 * `trustee.decrypt`: after the close, a qualified trustee's partial decryption of every choice's
 * sum, each with a Chaum-Pedersen proof against its verification key. The k-th valid one makes
 * the plaintext result chain state; later shares have nothing left to do and are refused.
 */
export const trusteeDecrypt: TxHandler<TrusteeDecryptPayload> = {
  schema: trusteeDecryptSchema,
  check(state, tx, ctx) {
    checkProofs(state, tx, ctx);
  },
  apply(state, tx, ctx) {
    const id = tx.payload.election;
    // The proofs were checked by `check` just before; the rules are read again for the record.
    const { j, secret, election } = checkRules(state, tx, ctx);
    const record: DecryptionRecord = { shares: tx.payload.shares, height: ctx.height, txId: ctx.txId };
    state.put(secretKeys.decryption(id, j), record);
    const next: SecretRecord = { ...secret, decrypted: [...secret.decrypted, j] };
    state.put(secretKeys.secret(id), next);
    ctx.emit('decryption.posted', { election: id, trustee: j, of: secret.threshold, have: next.decrypted.length });
    if (next.decrypted.length < secret.threshold) return;
    const result = combine(state, election, next, ctx);
    state.put(secretKeys.result(id), result);
    ctx.emit('election.decrypted', { election: id, counts: result.counts, trustees: result.trustees, height: ctx.height });
  },
};
