import type { Tx } from '../../../kernel/index.js';
import { VOTING_APP_ID } from '../app-id.js';
import type { CiphertextJson } from '../crypto/elgamal.js';
import type { SecretResult } from './state.js';

export const RECORD_FORMAT = 'cairn-election-record/1';

/** One transaction of the election as the chain holds it. */
export interface RecordEntry {
  height: number;
  blockHash: string;
  time: number;
  txId: string;
  tx: Tx;
}

/**
 * The whole public record of a secret election: its transactions in chain order (the open,
 * the ceremony, every ballot including replaced ones, the close, the decryptions), which are
 * enough to recompute everything else, and what the exporting node's state claims, which
 * `verifyElectionRecord` recomputes and compares. docs/election-record.md specifies it.
 */
export interface ElectionRecordFile {
  format: typeof RECORD_FORMAT;
  chainId: string;
  election: string;
  /** Tip of the exporting node when it wrote the record. */
  exportedAt: { height: number; hash: string };
  transactions: RecordEntry[];
  claimed: {
    key: string | null;
    qualified: number[];
    turnout: number;
    sums: CiphertextJson[];
    result: SecretResult | null;
  };
}

const HEX32 = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
const HEIGHT = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const SMALL_INTS = { type: 'array', maxItems: 16, items: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } } as const;

/**
 * The record's shape, checked before anything in it is walked: every list and number bounded.
 * Each `tx` is only required to be an object here; the kernel's envelope check bounds it.
 */
export const recordSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['format', 'chainId', 'election', 'exportedAt', 'transactions', 'claimed'],
  properties: {
    format: { const: RECORD_FORMAT },
    chainId: HEX32,
    election: { type: 'string', maxLength: 64 },
    exportedAt: { type: 'object', additionalProperties: false, required: ['height', 'hash'], properties: { height: HEIGHT, hash: HEX32 } },
    transactions: {
      type: 'array',
      minItems: 1,
      maxItems: 2_000_000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['height', 'blockHash', 'time', 'txId', 'tx'],
        properties: { height: HEIGHT, blockHash: HEX32, time: HEIGHT, txId: HEX32, tx: { type: 'object' } },
      },
    },
    claimed: {
      type: 'object',
      additionalProperties: false,
      required: ['key', 'qualified', 'turnout', 'sums', 'result'],
      properties: {
        key: { anyOf: [HEX32, { type: 'null' }] },
        qualified: SMALL_INTS,
        turnout: HEIGHT,
        sums: {
          type: 'array',
          maxItems: 16,
          items: { type: 'object', additionalProperties: false, required: ['a', 'b'], properties: { a: HEX32, b: HEX32 } },
        },
        result: {
          anyOf: [
            { type: 'null' },
            {
              type: 'object',
              additionalProperties: false,
              required: ['counts', 'trustees', 'height'],
              properties: { counts: SMALL_INTS, trustees: SMALL_INTS, height: HEIGHT },
            },
          ],
        },
      },
    },
  },
} as const;

/** Whether a transaction of any app belongs to election `id`'s record. */
export function belongsTo(tx: Tx, id: string): boolean {
  if (tx.app !== VOTING_APP_ID) return false;
  const p = tx.payload as { id?: unknown; election?: unknown } | null;
  return tx.type === 'election.open' ? p?.id === id : p?.election === id;
}

/** The entries of election `id` in one block of the best chain, in block order. */
export function entriesOf(
  block: { header: { height: number; time: number }; txs: Tx[] },
  hash: string,
  id: string,
  txIdOf: (tx: Tx) => string,
): RecordEntry[] {
  return block.txs
    .filter((tx) => belongsTo(tx, id))
    .map((tx) => ({ height: block.header.height, blockHash: hash, time: block.header.time, txId: txIdOf(tx), tx }));
}

/** A record from the entries gathered and the exporting node's view of the election. */
export function electionRecord(
  chainId: string,
  view: { election: string; key: string | null; qualified: number[]; turnout: number; sums: CiphertextJson[]; result: SecretResult | null },
  transactions: RecordEntry[],
  tip: { height: number; hash: string },
): ElectionRecordFile {
  return {
    format: RECORD_FORMAT,
    chainId,
    election: view.election,
    exportedAt: tip,
    transactions,
    claimed: { key: view.key, qualified: view.qualified, turnout: view.turnout, sums: view.sums, result: view.result },
  };
}
