import { HASH_RE, type Query, type StateView } from '../../../kernel/index.js';
import type { CiphertextJson } from '../crypto/elgamal.js';
import { rejection } from '../errors.js';
import { ELECTION_ID_PATTERN } from '../election-id.js';
import { stateKeys } from '../state-keys.js';
import { secretElectionOf } from './election-kind.js';
import {
  secretKeys,
  type CeremonyKeyJson,
  type DealJson,
  type DecryptionRecord,
  type ReviewRecord,
  type SealedBallot,
  type SecretRecord,
  type SecretResult,
  type TrackedBallot,
} from './state.js';

/** Everything public about a secret election except its ballots: what trustees and verifiers read. */
export interface SecretElectionView extends SecretRecord {
  election: string;
  choices: string[];
  turnout: number;
  /** Per trustee, in trustee order; null where it has not posted. */
  ceremonyKeys: Array<CeremonyKeyJson | null>;
  deals: Array<DealJson | null>;
  reviews: Array<ReviewRecord | null>;
  sums: CiphertextJson[];
  decryptions: Array<DecryptionRecord | null>;
  result: SecretResult | null;
}

export type TrackingAnswer =
  | {
      found: true;
      election: string;
      code: string;
      voter: string;
      height: number;
      blockHash: string;
      txId: string;
      replacedAt: number | null;
    }
  | { found: false; election: string; code: string };

function text(args: Record<string, unknown> | undefined, name: string, pattern: RegExp, what: string): string {
  let value = args?.[name];
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) value = String(value);
  if (typeof value !== 'string' || !pattern.test(value)) throw rejection('QUERY_BAD_ARGS', `'${name}' must be ${what}`);
  return value;
}

const electionId = new RegExp(ELECTION_ID_PATTERN);

function perTrustee<T>(state: StateView, n: number, key: (j: number) => string): Array<T | null> {
  return Array.from({ length: n }, (_, i) => state.get<T>(key(i + 1)) ?? null);
}

/** O(trustees² + choices): the ceremony, the sums, the decryptions and the result. */
export const secretElection: Query = (state, args): SecretElectionView => {
  const id = text(args, 'election', electionId, 'an election id');
  const { election, secret } = secretElectionOf(state, id);
  const n = secret.trustees.length;
  return {
    election: id,
    choices: election.choices,
    turnout: state.get<number>(stateKeys.turnout(id)) ?? 0,
    ...secret,
    ceremonyKeys: perTrustee(state, n, (j) => secretKeys.ceremonyKey(id, j)),
    deals: perTrustee(state, n, (j) => secretKeys.deal(id, j)),
    reviews: perTrustee(state, n, (j) => secretKeys.review(id, j)),
    sums: state.get<CiphertextJson[]>(secretKeys.sums(id)) ?? [],
    decryptions: perTrustee(state, n, (j) => secretKeys.decryption(id, j)),
    result: state.get<SecretResult>(secretKeys.result(id)) ?? null,
  };
};

/** Whether a tracking code names a ballot on this node's best chain, and whether a revote replaced it. */
export const tracking: Query = (state, args): TrackingAnswer => {
  const id = text(args, 'election', electionId, 'an election id');
  const code = text(args, 'code', HASH_RE, 'a tracking code (64 hex digits)');
  secretElectionOf(state, id);
  const t = state.get<TrackedBallot>(secretKeys.tracking(id, code));
  if (!t?.blockHash) return { found: false, election: id, code };
  return {
    found: true,
    election: id,
    code,
    voter: t.voter,
    height: t.height,
    blockHash: t.blockHash,
    txId: t.txId,
    replacedAt: t.replacedAt,
  };
};

/** A voter's counted secret ballot, for `receipt`: its tracking code, never its choice. */
export function sealedReceipt(state: StateView, id: string, voter: string) {
  const b = state.get<SealedBallot>(secretKeys.sealed(id, voter));
  if (!b?.blockHash) return { counted: false as const };
  return { counted: true as const, tracking: b.tracking, height: b.height, blockHash: b.blockHash, txId: b.txId, replaces: b.replaces };
}

export function secretResultOf(state: StateView, id: string): SecretResult | null {
  return state.get<SecretResult>(secretKeys.result(id)) ?? null;
}
