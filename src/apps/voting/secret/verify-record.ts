import { Ajv } from 'ajv';
import {
  BaseState,
  describeSchemaError,
  dottedPath,
  isAppRejection,
  StateOverlay,
  txId,
  TxRejection,
  TxRules,
  type Tx,
} from '../../../kernel/index.js';
import { VOTING_APP_ID } from '../app-id.js';
import { votingApp } from '../index.js';
import { stateKeys } from '../state-keys.js';
import { RECORD_FORMAT, belongsTo, recordSchema, type ElectionRecordFile } from './record.js';
import { secretKeys, type SecretRecord, type SecretResult } from './state.js';
import type { CiphertextJson } from '../crypto/elgamal.js';

/** How many of each thing the verifier re-checked. */
export interface RecordCounts {
  transactions: number;
  ceremonyKeys: number;
  deals: number;
  complaints: number;
  ballots: number;
  revotes: number;
  decryptions: number;
}

export type RecordVerdict =
  | { ok: true; election: string; chainId: string; counts: RecordCounts; result: SecretResult | null; choices: string[] }
  | {
      ok: false;
      election: string;
      chainId: string;
      counts: RecordCounts;
      check: string;
      code: string;
      message: string;
      transaction?: number;
    };

const validateRecord = new Ajv({ strict: false, allErrors: false }).compile(recordSchema);

/**
 * Re-checks a secret election from its record alone, with the rules every node runs (one table
 * of verdicts: the kernel's transaction rules and the voting app's handlers): each transaction's
 * id and signature, every proof of the ceremony, the ballots and the decryptions, by replaying
 * them in order into an empty state; then the recomputed sums, key and result against the ones
 * the record claims. The first failure is named.
 */
export function verifyElectionRecord(record: ElectionRecordFile): RecordVerdict {
  const counts: RecordCounts = { transactions: 0, ceremonyKeys: 0, deals: 0, complaints: 0, ballots: 0, revotes: 0, decryptions: 0 };
  const base = { election: String(record?.election ?? ''), chainId: String(record?.chainId ?? ''), counts };
  const fail = (check: string, code: string, message: string, transaction?: number): RecordVerdict => ({
    ok: false,
    ...base,
    check,
    code,
    message,
    ...(transaction === undefined ? {} : { transaction }),
  });
  if (!validateRecord(record)) {
    const e = validateRecord.errors![0]!;
    const why = describeSchemaError(e, { data: record, schema: recordSchema, name: (path) => dottedPath(path) || 'the record' });
    return fail('format', 'RECORD_FORMAT', `the file is not a ${RECORD_FORMAT} election record: ${why}`);
  }
  const rules = new TxRules([votingApp], record.chainId);
  const layer = new StateOverlay(new BaseState());
  const voters = new Set<string>();
  let lastHeight = 0;
  for (const [i, entry] of record.transactions.entries()) {
    const n = i + 1;
    const where = `transaction ${n}`;
    let tx: Tx;
    try {
      tx = rules.checkEnvelope(entry?.tx);
      if (!belongsTo(tx, record.election))
        return fail('membership', 'RECORD_FOREIGN_TX', `${where} is not part of election '${record.election}'`, n);
      if (n === 1 && tx.type !== 'election.open')
        return fail('membership', 'RECORD_NO_OPEN', 'the record does not start with the election.open', n);
      if (txId(record.chainId, tx) !== entry.txId)
        return fail('transaction id', 'RECORD_BAD_TX_ID', `${where}'s id is not the hash of its contents`, n);
      const id = rules.checkStateless(tx);
      if (!Number.isSafeInteger(entry.height) || entry.height < lastHeight)
        return fail('order', 'RECORD_ORDER', `${where} is at height ${entry.height}, before the transaction it follows`, n);
      lastHeight = entry.height;
      rules.apply(layer, tx, id, { height: entry.height, time: entry.time, blockHash: entry.blockHash });
    } catch (err) {
      const e = err instanceof TxRejection || isAppRejection(err) ? err : null;
      if (!e) throw err;
      const check = e.code === 'TX_BAD_SIGNATURE' ? 'signature' : e.code.startsWith('TX_') ? 'transaction' : 'rule';
      return fail(check, e.code, `${where} (${describeEntry(entry?.tx)}) is refused: ${e.message}`, n);
    }
    counts.transactions++;
    tally(counts, tx, voters);
  }
  const view = layer.view(VOTING_APP_ID);
  const secret = view.get<SecretRecord>(secretKeys.secret(record.election));
  if (!secret) return fail('kind', 'RECORD_NOT_SECRET', `election '${record.election}' in the record is not a secret election`);
  const claimed = record.claimed ?? ({} as ElectionRecordFile['claimed']);
  const sums = view.get<CiphertextJson[]>(secretKeys.sums(record.election));
  const result = view.get<SecretResult>(secretKeys.result(record.election)) ?? null;
  const turnout = view.get<number>(stateKeys.turnout(record.election)) ?? 0;
  if (claimed.key !== secret.key)
    return fail('election key', 'RECORD_KEY_MISMATCH', "the record's election key is not the one its ceremony gives");
  if (!same(claimed.qualified, secret.qualified))
    return fail('qualified trustees', 'RECORD_KEY_MISMATCH', "the record's qualified trustees are not the ones its ceremony gives");
  if (claimed.turnout !== turnout)
    return fail('turnout', 'RECORD_SUM_MISMATCH', `the record claims ${claimed.turnout} voters; its ballots come from ${turnout}`);
  if (!same(claimed.sums, sums)) return fail('sums', 'RECORD_SUM_MISMATCH', "the record's encrypted sums are not the sums of its ballots");
  if (!same(claimed.result?.counts ?? null, result?.counts ?? null))
    return fail(
      'result',
      'RECORD_RESULT_MISMATCH',
      `the record claims the result ${show(claimed.result)}; its decryptions give ${show(result)}`,
    );
  return { ok: true, ...base, result, choices: view.get<{ choices: string[] }>(stateKeys.election(record.election))?.choices ?? [] };
}

function tally(counts: RecordCounts, tx: Tx, voters: Set<string>): void {
  if (tx.type === 'trustee.key') counts.ceremonyKeys++;
  if (tx.type === 'trustee.deal') counts.deals++;
  if (tx.type === 'trustee.review') counts.complaints += (tx.payload as { complaints: unknown[] }).complaints.length;
  if (tx.type === 'trustee.decrypt') counts.decryptions++;
  if (tx.type === 'ballot.encrypted') {
    counts.ballots++;
    if (voters.has(tx.from)) counts.revotes++;
    voters.add(tx.from);
  }
}

function describeEntry(tx: unknown): string {
  const t = tx as { type?: unknown; from?: unknown } | null;
  const type = typeof t?.type === 'string' ? t.type.slice(0, 40) : 'unknown type';
  const from = typeof t?.from === 'string' ? ` from ${t.from.slice(0, 12)}…` : '';
  return `${type}${from}`;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function show(result: { counts?: number[] } | null | undefined): string {
  return result?.counts ? `[${result.counts.join(', ')}]` : 'none (not decrypted)';
}
