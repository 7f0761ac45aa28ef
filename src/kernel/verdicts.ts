/**
 * Every judgement of untrusted input ends in one of three verdicts, as in Lodestar's gossip
 * validation: `accept` (use it, relay it), `ignore` (drop quietly: a duplicate, a stale or
 * premature block; an honest peer sends these in a race) or `reject` (the sender was at
 * fault and loses `points`; at 100 it is banned). The code alone decides the verdict and
 * the points, in the table below: nothing else in cairn picks either.
 */
export type Verdict = 'reject' | 'ignore';

export interface VerdictRow {
  readonly verdict: Verdict;
  /** Penalty points for a reject; a peer is banned at 100, and points decay by one a second. */
  readonly points: number;
}

export const BLOCK_REJECTION_CODES = [
  'BLOCK_MALFORMED',
  'BLOCK_TOO_LARGE',
  'BLOCK_BAD_POW',
  'BLOCK_KNOWN',
  'BLOCK_INVALID_ANCESTOR',
  'BLOCK_UNKNOWN_PARENT',
  'BLOCK_BAD_HEIGHT',
  'BLOCK_BAD_TARGET',
  'BLOCK_BAD_VERSION',
  'BLOCK_TIME_TOO_NEW',
  'BLOCK_TIME_TOO_OLD',
  'BLOCK_BAD_TX_ROOT',
  'BLOCK_DUPLICATE_TX',
  'BLOCK_BAD_TX',
] as const;
export type BlockRejectionCode = (typeof BLOCK_REJECTION_CODES)[number];

export const TX_REJECTION_CODES = [
  'TX_MALFORMED',
  'TX_TOO_LARGE',
  'TX_UNKNOWN_APP',
  'TX_UNKNOWN_TYPE',
  'TX_BAD_PAYLOAD',
  'TX_BAD_SIGNATURE',
  'TX_ALREADY_IN_CHAIN',
  'TX_KNOWN',
  'TX_CONFLICT',
  'TX_APP_ERROR',
  'MEMPOOL_FULL',
  'STORE_FULL',
] as const;
export type TxRejectionCode = (typeof TX_REJECTION_CODES)[number];

/** Whole messages and peers: decoding, the handshake, sync behaviour, rate. */
export const MESSAGE_REJECTION_CODES = [
  'MSG_TOO_LARGE',
  'MSG_TOO_DEEP',
  'MSG_NOT_JSON',
  'MSG_UNKNOWN_TYPE',
  'MSG_INVALID',
  /** Judging the input threw something that is not a coded rejection: the input is at fault, never the node. */
  'INPUT_MALFORMED',
  'WRONG_CHAIN',
  'HEADERS_INVALID',
  'STALL',
  'FLOOD',
] as const;
export type MessageRejectionCode = (typeof MESSAGE_REJECTION_CODES)[number];

/**
 * An app's own refusal (`BALLOT_DUPLICATE`): apps name their codes freely, so they share one
 * row. An honest relay can lose such a race (two ballots of one voter through two nodes).
 */
export const APP_RULE = 'APP_RULE';

export type RejectionCode = BlockRejectionCode | TxRejectionCode | MessageRejectionCode | typeof APP_RULE;

const reject = (points: number): VerdictRow => ({ verdict: 'reject', points });
const ignore: VerdictRow = { verdict: 'ignore', points: 0 };

/** The one table. A code without a row does not compile. */
export const VERDICTS = {
  // Forging a block or a header costs a ban at once: it takes work or a lie, never a race.
  BLOCK_MALFORMED: reject(100),
  BLOCK_TOO_LARGE: reject(100),
  BLOCK_BAD_POW: reject(100),
  BLOCK_INVALID_ANCESTOR: reject(100),
  BLOCK_BAD_HEIGHT: reject(100),
  BLOCK_BAD_TARGET: reject(100),
  BLOCK_BAD_VERSION: reject(100),
  BLOCK_BAD_TX_ROOT: reject(100),
  BLOCK_DUPLICATE_TX: reject(100),
  BLOCK_BAD_TX: reject(100),
  HEADERS_INVALID: reject(100),
  WRONG_CHAIN: reject(100),
  BLOCK_TIME_TOO_OLD: reject(50),
  // Known, premature or parentless blocks reach honest peers too.
  BLOCK_KNOWN: ignore,
  BLOCK_TIME_TOO_NEW: ignore,
  BLOCK_UNKNOWN_PARENT: ignore,

  TX_MALFORMED: reject(20),
  TX_TOO_LARGE: reject(20),
  TX_UNKNOWN_APP: reject(20),
  TX_UNKNOWN_TYPE: reject(20),
  TX_BAD_PAYLOAD: reject(20),
  TX_BAD_SIGNATURE: reject(20),
  TX_KNOWN: ignore,
  TX_ALREADY_IN_CHAIN: ignore,
  MEMPOOL_FULL: ignore,
  STORE_FULL: ignore,
  TX_CONFLICT: reject(2),
  TX_APP_ERROR: reject(2),
  [APP_RULE]: reject(2),

  MSG_TOO_LARGE: reject(20),
  MSG_TOO_DEEP: reject(20),
  MSG_NOT_JSON: reject(20),
  MSG_UNKNOWN_TYPE: reject(20),
  MSG_INVALID: reject(20),
  INPUT_MALFORMED: reject(20),
  STALL: reject(10),
  FLOOD: reject(1),
} as const satisfies Record<RejectionCode, VerdictRow>;

const KNOWN = new Set<string>(Object.keys(VERDICTS));

/** The table row of a code; any code the table does not name is an app's own rule. */
export function rowOf(code: string): { code: RejectionCode; row: VerdictRow } {
  const key = (KNOWN.has(code) ? code : APP_RULE) as RejectionCode;
  return { code: key, row: VERDICTS[key] };
}

export function verdictOf(code: string): Verdict {
  return rowOf(code).row.verdict;
}
