import type { CiphertextJson } from '../crypto/elgamal.js';
import type { CeremonyKeyJson, ComplaintJson, DealJson } from '../crypto/ceremony.js';
import type { DecryptionShareJson } from './schemas.js';

/**
 * Where a secret election keeps its state, beside the election record every election has.
 * Trustee numbers are 1-based places in the trustee list. A ballot reads and writes a fixed
 * number of keys plus one value of O(choices): the running sums.
 */
export const secretKeys = {
  /** SecretRecord. */
  secret: (id: string) => `secret:${id}`,
  /** CeremonyKeyJson of trustee j. */
  ceremonyKey: (id: string, j: number) => `ckey:${id}:${j}`,
  /** DealJson of trustee j. */
  deal: (id: string, j: number) => `deal:${id}:${j}`,
  /** ReviewRecord of trustee j. */
  review: (id: string, j: number) => `review:${id}:${j}`,
  /** CiphertextJson[]: the sum of the counted ballots' ciphertexts, one per choice. */
  sums: (id: string) => `sum:${id}`,
  /** SealedBallot: a voter's counted ballot. */
  sealed: (id: string, voter: string) => `sealed:${id}:${voter}`,
  /** TrackedBallot: what a tracking code names. */
  tracking: (id: string, code: string) => `tracking:${id}:${code}`,
  /** DecryptionRecord of trustee j. */
  decryption: (id: string, j: number) => `dshare:${id}:${j}`,
  /** SecretResult, once k decryption shares are on the chain. */
  result: (id: string) => `result:${id}`,
} as const;

/**
 * keys → deals → reviews: each round waits for every trustee. Then `voting` with the election
 * key fixed, or `failed` when fewer than the threshold qualified.
 */
export type CeremonyPhase = 'keys' | 'deals' | 'reviews' | 'voting' | 'failed';

export interface SecretRecord {
  trustees: string[];
  threshold: number;
  revote: boolean;
  min: number;
  max: number;
  phase: CeremonyPhase;
  /** Trustees who posted in the current round. */
  posted: number[];
  /** Dealers disqualified by an upheld complaint. */
  disqualified: number[];
  /** Set when the phase becomes `voting`. */
  key: string | null;
  qualified: number[];
  /** X_j of each qualified trustee, in the order of `qualified`. */
  verificationKeys: string[];
  keyFixedAt: number | null;
  /** Why the ceremony failed, when it did. */
  failure: string | null;
  /** Trustees whose valid decryption shares are on the chain, in posting order. */
  decrypted: number[];
}

export interface ReviewRecord {
  complaints: ComplaintJson[];
  height: number;
}

export interface SealedBallot {
  tracking: string;
  /** The ciphertexts that were added to the sums (a revote subtracts them again). */
  selections: CiphertextJson[];
  height: number;
  blockHash?: string;
  txId: string;
  /** How many earlier ballots of this voter this one replaced. */
  replaces: number;
}

export interface TrackedBallot {
  voter: string;
  height: number;
  blockHash?: string;
  txId: string;
  /** Height of the voter's later ballot that replaced this one. */
  replacedAt: number | null;
}

export interface DecryptionRecord {
  shares: DecryptionShareJson[];
  height: number;
  txId: string;
}

export interface SecretResult {
  /** Votes per choice, in the election's choice order. */
  counts: number[];
  /** The trustees whose shares were combined. */
  trustees: number[];
  height: number;
}

export type { CeremonyKeyJson, DealJson };
