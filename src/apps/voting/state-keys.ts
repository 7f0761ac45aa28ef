/**
 * Where the voting app keeps its state. Every rule and every query reads a fixed number of
 * keys (or one per choice), never a scan: a ballot costs O(1) and a tally O(choices).
 * Election ids cannot contain ':', so `<id>:` prefixes never overlap.
 */
export const stateKeys = {
  /** string[]: election ids in the order they were opened. */
  elections: 'elections',
  /** ElectionRecord. */
  election: (id: string) => `election:${id}`,
  /** true, for each key on an election's voter list. */
  voter: (id: string, key: string) => `voter-ok:${id}:${key}`,
  /** BallotRecord: the receipt of a voter's one ballot. */
  ballot: (id: string, voter: string) => `ballot:${id}:${voter}`,
  /** number: votes for one choice (fixed choices start at 0, write-ins appear with their first ballot). */
  votes: (id: string, choice: string) => `votes:${id}:${choice}`,
  /** string[]: write-in choices in the order of their first ballot. */
  written: (id: string) => `written:${id}`,
  /** number: ballots counted. */
  turnout: (id: string) => `turnout:${id}`,
} as const;

export interface ElectionRecord {
  id: string;
  title: string;
  /** The fixed choices; empty for a write-in election. */
  choices: string[];
  writeIn: boolean;
  /** 'list': only keys with a `voter-ok` entry may vote. */
  eligibility: 'open' | 'list';
  /** Length of the voter list (0 when open to any key). */
  voters: number;
  /** Public key of the opener; null for an election opened by the chain's genesis. */
  creator: string | null;
  closesAt: number | null;
  /** Closed by `election.close` (an election past `closesAt` is closed without this flag). */
  closed: boolean;
  closedAt: number | null;
  openedAt: number;
  /** Encrypted ballots: its ceremony, sums and result are under `secretKeys`. */
  secret?: true;
}

export interface BallotRecord {
  choice: string;
  height: number;
  /** Absent only in a mempool view; committed state always has it. */
  blockHash?: string;
  txId: string;
}
