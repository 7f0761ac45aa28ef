import type { Tally } from '../../apps/voting/index.js';
import type { Devnet } from './devnet.js';
import type { Detection } from './fault-detection.js';

/** What the demo needs of a devnet: its nodes and their API clients, and the faults of the malicious ones. */
export type DemoDevnet = Pick<Devnet, 'nodes' | 'client'> &
  Partial<Pick<Devnet, 'waitUntilConnected'>> & { readonly options?: { readonly faults?: readonly string[] } };

export interface DemoOptions {
  /** Print the result as one JSON line instead of tables. */
  json?: boolean;
  /** Where lines go; default stdout. */
  log?: (line: string) => void;
  /** Give up waiting for the ballots after this long. [default: 120 s] */
  timeoutMs?: number;
  /** With malicious nodes: how long honest nodes may take to show they noticed a fault they can see. [default: 30 s] */
  detectTimeoutMs?: number;
}

export interface DemoBallot {
  voter: string;
  choice: string;
  node: number;
  txId: string;
  height: number;
  blockHash: string;
}

export interface DemoRefusal {
  voter: string;
  choice: string;
  node: number;
  code: string;
  message: string;
}

export interface DemoNode {
  index: number;
  apiUrl: string;
  height?: number;
  tip?: string;
  tally?: Tally;
  /** Its tally is the expected one and every ballot's receipt names the transaction its node acknowledged. */
  agrees: boolean;
  /** Ballots of the demo it does not count as acknowledged (missing, or another transaction of that voter). */
  lost?: number;
  /** Votes for the demo's choices beyond its ballots: something counted twice. */
  doubled?: number;
  /** Votes for choices no demo voter made: ballots that must not count. */
  invalid?: number;
  /** Its process ended during the demo. */
  crashed?: boolean;
  error?: { code: string; message: string };
}

export interface DemoMalicious {
  index: number;
  address: string;
  faults: string[];
  /** Still running at the end (a crash fault ends it on purpose). */
  running: boolean;
  /** How it ended, when it did: a crash fault kills its own process with SIGKILL. */
  exit?: { code: number | null; signal: string | null };
}

export interface DemoResult {
  /** Every condition below holds; `failures` says which did not. */
  passed: boolean;
  failures: string[];
  /** Every honest node's tally equals the expected one (the tally before the demo plus its ballots), on one tip. */
  agreed: boolean;
  election: string;
  /** The first honest node's tally. */
  tally?: Tally;
  expected: Array<{ choice: string; votes: number }>;
  ballots: DemoBallot[];
  /** Ballots the chain refused: the duplicate attempt, and nothing else when all is well. */
  refused: DemoRefusal[];
  /** The honest nodes: the demo votes through them and compares them. */
  nodes: DemoNode[];
  /** The nodes run with `--fault`, which the demo neither votes through nor compares. */
  malicious: DemoMalicious[];
  /** The tip every honest node is on, when they agree on one. */
  tip?: string;
  /** From the first ballot cast until every honest node counted every ballot on one tip. */
  agreementMs?: number;
  /** With malicious nodes: whether the honest ones saw them misbehave, and how. */
  detection?: Detection;
  elapsedMs: number;
}
