import type { RecordVerdict } from '../../apps/voting/index.js';

export interface SecretDemoNode {
  index: number;
  height?: number;
  tip?: string;
  /** Votes per choice as this node's state decrypted them; null while sealed. */
  counts?: number[] | null;
  /** Its result equals the expected counts, and it finds every tracking code as the voters saw it. */
  agrees: boolean;
  error?: { code: string; message: string };
}

export interface SecretDemoBallot {
  voter: string;
  choice: string;
  node: number;
  tracking: string;
  txId: string;
  height: number;
  /** Replaced by the voter's later ballot. */
  replaced: boolean;
}

export interface SecretDemoResult {
  passed: boolean;
  failures: string[];
  election: string;
  choices: string[];
  expected: number[];
  ballots: SecretDemoBallot[];
  audit?: { voter: string; matches: boolean; tracking: string };
  qualified: number[];
  decryptedBy: string[];
  nodes: SecretDemoNode[];
  /** `election verify` on the record one node exported. */
  verify?: RecordVerdict;
  elapsedMs: number;
}
