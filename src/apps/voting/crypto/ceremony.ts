import {
  checkShareEphemeral,
  commitPolynomial,
  decryptShare,
  encryptShare,
  evaluatePolynomial,
  judgeComplaint,
  makeComplaint,
  shareMatches,
  type Complaint,
  type EncryptedShare,
} from './dkg.js';
import { CryptoError } from './errors.js';
import { add, decodePoint, decodeScalar, encodePoint, encodeScalar, G, secretMul, type Point } from './group.js';
import { decodeSchnorr, encodeSchnorr, proveSchnorr, verifySchnorr, type SchnorrProofJson } from './proofs/schnorr.js';
import { electionKey, verificationKey } from './threshold.js';
import { contextTranscript, type ProofContext } from './transcript.js';

/**
 * The key ceremony as its transactions carry it, checked from public data alone, in three
 * rounds. First every trustee posts its ceremony key (shares are encrypted to it) with a proof
 * of knowledge. Then each deals once: Feldman commitments to its polynomial with a proof of
 * knowledge of the constant term, and one encrypted share per trustee, in trustee order. Then
 * each reviews every other deal: no complaint is an acknowledgement; a complaint reveals a bad
 * share, which disqualifies its dealer. The election key comes from the qualified dealers.
 */
export interface CeremonyKeyJson {
  key: string;
  proof: SchnorrProofJson;
}

export interface DealJson {
  commitments: string[];
  commitmentProof: SchnorrProofJson;
  shares: Array<{ e: string; value: string; proof: SchnorrProofJson }>;
}

export interface Deal {
  commitments: Point[];
  shares: EncryptedShare[];
}

export interface ComplaintJson {
  dealer: number;
  k: string;
  proof: SchnorrProofJson;
}

export const CEREMONY_KEY_PURPOSE = 'ceremony-key';
export const COMMITMENT_PURPOSE = 'ceremony-commitment';

/** What a dealer keeps to itself: its ceremony secret and its polynomial. */
export interface DealerSecrets {
  ceremonySecret: bigint;
  polynomial: bigint[];
}

export function makeCeremonyKey(ctx: ProofContext, secret: bigint): CeremonyKeyJson {
  const key = secretMul(G, secret);
  return { key: encodePoint(key), proof: encodeSchnorr(proveSchnorr(contextTranscript(CEREMONY_KEY_PURPOSE, ctx), secret, key)) };
}

export function checkCeremonyKey(ctx: ProofContext, json: CeremonyKeyJson): Point {
  const key = decodePoint(json?.key, 'ceremony key');
  if (!verifySchnorr(contextTranscript(CEREMONY_KEY_PURPOSE, ctx), key, decodeSchnorr(json.proof, 'proof')))
    throw new CryptoError('PROOF_INVALID', "the proof of knowledge of the trustee's ceremony key does not verify");
  return key;
}

/** A trustee's deal for trustees 1..n, once every ceremony key is known (`keys[i]` is trustee i+1's). */
export function makeDeal(ctx: ProofContext, dealer: number, keys: readonly Point[], polynomial: readonly bigint[]): DealJson {
  const commitments = commitPolynomial(polynomial);
  const shares = keys.map((key, i) => encryptShare(ctx, dealer, i + 1, key, evaluatePolynomial(polynomial, i + 1)));
  return {
    commitments: commitments.map(encodePoint),
    commitmentProof: encodeSchnorr(proveSchnorr(contextTranscript(COMMITMENT_PURPOSE, ctx), polynomial[0]!, commitments[0]!)),
    shares: shares.map((s) => ({ e: encodePoint(s.e), value: encodeScalar(s.value), proof: encodeSchnorr(s.proof) })),
  };
}

/** Every field of a deal decoded (sizes and encodings checked), its proofs not: for deals already on the chain. */
export function decodeDeal(json: DealJson, n: number, k: number): Deal {
  if (!Array.isArray(json?.commitments) || json.commitments.length !== k)
    throw new CryptoError('PROOF_INVALID', `a deal commits to ${k} coefficients (the threshold), not ${json?.commitments?.length ?? 0}`);
  if (!Array.isArray(json.shares) || json.shares.length !== n)
    throw new CryptoError('SHARE_INVALID', `a deal holds one share per trustee (${n}), not ${json.shares?.length ?? 0}`);
  return {
    commitments: json.commitments.map((c, i) => decodePoint(c, `commitment ${i}`)),
    shares: json.shares.map((s, i) => ({
      e: decodePoint(s?.e, `share ${i + 1}.e`),
      value: decodeScalar(s?.value, `share ${i + 1}.value`),
      proof: decodeSchnorr(s?.proof, `share ${i + 1}.proof`),
    })),
  };
}

/** A deal decoded and every proof checked, for an election of n trustees and threshold k. */
export function checkDeal(ctx: ProofContext, dealer: number, json: DealJson, n: number, k: number): Deal {
  const { commitments, shares } = decodeDeal(json, n, k);
  if (!verifySchnorr(contextTranscript(COMMITMENT_PURPOSE, ctx), commitments[0]!, decodeSchnorr(json.commitmentProof, 'commitmentProof')))
    throw new CryptoError('PROOF_INVALID', "the proof of knowledge of the deal's constant term does not verify");
  shares.forEach((share, i) => {
    if (!checkShareEphemeral(ctx, dealer, i + 1, share))
      throw new CryptoError('PROOF_INVALID', `the proof of knowledge of share ${i + 1}'s ephemeral key E does not verify (a copied E?)`);
  });
  return { commitments, shares };
}

/**
 * A trustee's review: its share from every other dealer decrypted and checked; a complaint for
 * each bad one; and its own share sum over the dealers it found good (its final share only once
 * the qualified set is known: see `finalShare`).
 */
export function reviewDeals(
  myCtx: ProofContext,
  me: number,
  ceremonySecret: bigint,
  deals: ReadonlyMap<number, { ctx: ProofContext; deal: Deal }>,
): { complaints: ComplaintJson[]; shares: Map<number, bigint> } {
  const complaints: ComplaintJson[] = [];
  const shares = new Map<number, bigint>();
  const myKey = secretMul(G, ceremonySecret);
  for (const [dealer, { ctx, deal }] of deals) {
    const enc = deal.shares[me - 1]!;
    const share = decryptShare(ctx, dealer, me, ceremonySecret, enc);
    if (shareMatches(deal.commitments, me, share)) {
      shares.set(dealer, share);
    } else {
      const c: Complaint = makeComplaint(myCtx, dealer, ceremonySecret, myKey, enc);
      complaints.push({ dealer, k: encodePoint(c.k), proof: encodeSchnorr(c.proof) });
    }
  }
  return { complaints, shares };
}

/** The verdict on one complaint of trustee `recipient`: the dealer it names is disqualified, or the complaint is refused. */
export function upholdComplaint(
  recipientCtx: ProofContext,
  recipient: number,
  recipientKey: Point,
  dealerCtx: ProofContext,
  deal: Deal,
  json: ComplaintJson,
): number {
  const complaint = { k: decodePoint(json.k, 'complaint.k'), proof: decodeSchnorr(json.proof, 'complaint.proof') };
  judgeComplaint(dealerCtx, recipientCtx, json.dealer, recipient, recipientKey, deal.commitments, deal.shares[recipient - 1]!, complaint);
  return json.dealer;
}

export interface CeremonyResult {
  qualified: number[];
  key: Point;
  /** X_j of every qualified trustee: what its decryption shares are checked against. */
  verificationKeys: Map<number, Point>;
}

/** The election key and verification keys from the deals of the dealers not disqualified. */
export function ceremonyResult(deals: ReadonlyMap<number, Deal>, disqualified: ReadonlySet<number>, threshold: number): CeremonyResult {
  const qualified = [...deals.keys()].filter((d) => !disqualified.has(d)).sort((a, b) => a - b);
  if (qualified.length < threshold)
    throw new CryptoError('THRESHOLD_UNMET', `${qualified.length} trustees qualified in the ceremony, ${threshold} are needed to decrypt`);
  const commitments = qualified.map((d) => deals.get(d)!.commitments);
  return {
    qualified,
    key: electionKey(commitments),
    verificationKeys: new Map(qualified.map((j) => [j, verificationKey(commitments, j)])),
  };
}

/** A qualified trustee's final share: the sum of the shares it received from the qualified dealers. */
export function finalShare(shares: ReadonlyMap<number, bigint>, qualified: readonly number[]): bigint {
  return qualified.reduce((x, d) => {
    const s = shares.get(d);
    if (s === undefined) throw new CryptoError('SHARE_INVALID', `no good share from qualified trustee ${d}`);
    return add(x, s);
  }, 0n);
}
