import { hexToBytes } from '@noble/hashes/utils.js';
import { checkDeal, finalShare, makeCeremonyKey, makeDeal, reviewDeals, type Deal, type DealerSecrets } from '../crypto/ceremony.js';
import { decodeCiphertext } from '../crypto/elgamal.js';
import { decodePoint, encodePoint } from '../crypto/group.js';
import { encodeSchnorr } from '../crypto/proofs/schnorr.js';
import { decryptionShare } from '../crypto/threshold.js';
import { Transcript, type ProofContext } from '../crypto/transcript.js';
import { rejection } from '../errors.js';
import type { SecretElectionView } from './queries.js';
import type { TrusteeDealPayload, TrusteeDecryptPayload, TrusteeKeyPayload, TrusteeReviewPayload } from './schemas.js';

export const TRUSTEE_SECRET_PURPOSE = 'trustee-secret';

/**
 * A trustee's ceremony secret and polynomial, derived from its Ed25519 private key (32 bytes),
 * the chain and the election, as RFC 6979 derives nonces: nothing to store between the rounds,
 * so `trustee ceremony` and `trustee decrypt` resume anywhere, and a lost file cannot lose a
 * key share. Each is a challenge of purpose `trustee-secret` over the items: the private key's
 * bytes, the chain id, the election id, then the text `ceremony`, or the text `coefficient`
 * and the coefficient's index.
 */
export function trusteeSecrets(privateKey: string, chainId: string, electionId: string, threshold: number): DealerSecrets {
  const base = () => new Transcript(TRUSTEE_SECRET_PURPOSE).raw(hexToBytes(privateKey)).text(chainId).text(electionId);
  return {
    ceremonySecret: base().text('ceremony').challenge(),
    polynomial: Array.from({ length: threshold }, (_, i) => base().text('coefficient').int(i).challenge()),
  };
}

export type TrusteeStep =
  | { type: 'trustee.key'; payload: TrusteeKeyPayload }
  | { type: 'trustee.deal'; payload: TrusteeDealPayload }
  | { type: 'trustee.review'; payload: TrusteeReviewPayload; complaints: number[] }
  | { wait: string }
  | { done: 'voting' | 'failed' };

export interface TrusteeIdentity {
  publicKey: string;
  privateKey: string;
}

const contextOf = (chainId: string, view: SecretElectionView, j: number): ProofContext => ({
  chainId,
  electionId: view.election,
  signer: view.trustees[j - 1]!,
});

function postedDeals(chainId: string, view: SecretElectionView): Map<number, { ctx: ProofContext; deal: Deal }> {
  const n = view.trustees.length;
  return new Map(
    view.deals.map((d, i) => [
      i + 1,
      { ctx: contextOf(chainId, view, i + 1), deal: checkDeal(contextOf(chainId, view, i + 1), i + 1, d!, n, view.threshold) },
    ]),
  );
}

/** The trustee's place in the list, or an error a CLI can print. */
export function trusteePlace(view: SecretElectionView, me: string): number {
  const j = view.trustees.indexOf(me) + 1;
  if (j === 0) throw rejection('TRUSTEE_UNKNOWN', `key ${me.slice(0, 12)}… is not a trustee of election '${view.election}'`);
  return j;
}

/** What trustee `me` posts next in the ceremony, from the public state alone (and its own key). */
export function nextCeremonyStep(chainId: string, view: SecretElectionView, me: TrusteeIdentity): TrusteeStep {
  const j = trusteePlace(view, me.publicKey);
  if (view.phase === 'voting' || view.phase === 'failed') return { done: view.phase };
  const secrets = trusteeSecrets(me.privateKey, chainId, view.election, view.threshold);
  const ctx = contextOf(chainId, view, j);
  const waiting = `the other trustees (${view.posted.length} of ${view.trustees.length} have posted this round)`;
  if (view.posted.includes(j)) return { wait: waiting };
  switch (view.phase) {
    case 'keys':
      return { type: 'trustee.key', payload: { election: view.election, key: makeCeremonyKey(ctx, secrets.ceremonySecret) } };
    case 'deals': {
      const keys = view.ceremonyKeys.map((k, i) => decodePoint(k?.key, `trustee ${i + 1}'s ceremony key`));
      return { type: 'trustee.deal', payload: { election: view.election, deal: makeDeal(ctx, j, keys, secrets.polynomial) } };
    }
    case 'reviews': {
      const { complaints } = reviewDeals(ctx, j, secrets.ceremonySecret, postedDeals(chainId, view));
      const against = complaints.filter((c) => c.dealer !== j);
      return {
        type: 'trustee.review',
        payload: { election: view.election, complaints: against },
        complaints: against.map((c) => c.dealer),
      };
    }
  }
}

/** Trustee `me`'s decryption of every choice's sum, with its proofs: its key share is rebuilt from the deals on the chain. */
export function decryptionStep(chainId: string, view: SecretElectionView, me: TrusteeIdentity): TrusteeDecryptPayload {
  const j = trusteePlace(view, me.publicKey);
  const q = view.qualified.indexOf(j);
  if (q < 0)
    throw rejection('DECRYPT_NOT_QUALIFIED', `trustee ${j} is not qualified in election '${view.election}': it holds no key share`);
  const secrets = trusteeSecrets(me.privateKey, chainId, view.election, view.threshold);
  const { shares } = reviewDeals(contextOf(chainId, view, j), j, secrets.ceremonySecret, postedDeals(chainId, view));
  const x = finalShare(shares, view.qualified);
  const big = decodePoint(view.verificationKeys[q], 'verification key');
  const ctx = contextOf(chainId, view, j);
  return {
    election: view.election,
    shares: view.sums.map((sum, i) => {
      const { d, proof } = decryptionShare(ctx, { index: i, sum: decodeCiphertext(sum), ballots: view.turnout }, x, big);
      return { d: encodePoint(d), proof: encodeSchnorr(proof) };
    }),
  };
}
