import {
  castBallot,
  closeElection,
  ELECTION_ID_PATTERN,
  openElection,
  VOTING_APP_ID,
  type ElectionDetails,
  type ElectionSummary,
  type Receipt,
  type Tally,
  type VotingCall,
} from '../../apps/voting/index.js';
import { CairnError, ConfigError, type Keystore } from '../../kernel/index.js';
import type { ApiClient, StatusResponse } from '../../plugins/http-api/index.js';
import {
  TxClient,
  type Counted,
  type SignerKey,
  type SubmitOptions,
  type Submitted,
  type TxWording,
  type WaitOptions,
} from '../tx/tx-client.js';
import { explainRefusal, VoteRefused, type RefusalContext } from './refusal.js';

// The generic shapes, under the names the voting commands and their tests know.
export type { CreatedKey, Counted, SubmitOptions, Submitted, TxProgress, WaitOptions } from '../tx/tx-client.js';
export type VoterKey = SignerKey;

const ELECTION_ID = new RegExp(ELECTION_ID_PATTERN);

/** Checked here so that a mistyped id gets a sentence about ids, not a schema error from the node. */
export function checkElectionId(id: string): string {
  if (!ELECTION_ID.test(id)) {
    throw new ConfigError(
      'ELECTION_BAD_ID',
      `'${id}' is not an election id: use 1 to 64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
  return id;
}

/**
 * The voting app seen from a client: keys from a keystore (a voter id is a key name, created
 * on first use), transactions signed here and submitted to one node through its API, and the
 * app's queries. Used by `cairn vote`, `cairn election` and the devnet demo.
 */
export class VotingClient {
  /** Signing, submission, draft keys and the wait, in the voting app's words. */
  readonly txs: TxClient<RefusalContext>;

  constructor(
    readonly api: ApiClient,
    readonly keystore: Keystore,
  ) {
    this.txs = new TxClient<RefusalContext>(api, keystore, VOTING_WORDING);
  }

  /**
   * The voter's key: the stored one, else a new pair held here and written to the keystore only
   * once the node accepts a transaction it signed (`created` says it is new).
   */
  voter(name: string): VoterKey {
    return this.txs.key(name);
  }

  /** A public key given as such (64 hex digits), else the key of that name, which must exist. */
  publicKeyOf(nameOrKey: string): string {
    return this.txs.publicKeyOf(nameOrKey);
  }

  /** Like `publicKeyOf`, but a new name gets a key, kept like a new voter's (`voter`). */
  publicKeyOrNew(nameOrKey: string): string {
    return this.txs.publicKeyOrNew(nameOrKey);
  }

  chainId(): Promise<string> {
    return this.txs.chainId();
  }

  status(): Promise<StatusResponse> {
    return this.api.status();
  }

  /** Signs `call` with the key named `signer` (new if need be: see `voter`) and submits it. */
  submit(call: VotingCall<string, unknown>, signer: string, context: RefusalContext = {}, options: SubmitOptions = {}): Promise<Submitted> {
    return this.txs.submit(call, signer, options, context);
  }

  cast(election: string, choice: string, voter: string, options?: SubmitOptions): Promise<Submitted> {
    return this.submit(castBallot(checkElectionId(election), choice), voter, { election, choice }, options);
  }

  open(election: Parameters<typeof openElection>[0], creator: string, options?: SubmitOptions): Promise<Submitted> {
    checkElectionId(election.id);
    return this.submit(openElection(election), creator, { election: election.id }, options);
  }

  close(election: string, creator: string, options?: SubmitOptions): Promise<Submitted> {
    return this.submit(closeElection(checkElectionId(election)), creator, { election, closing: true }, options);
  }

  /** See `TxClient.waitUntilCounted`; a dropped ballot is worded for its voter and election. */
  waitUntilCounted(txId: string, options: WaitOptions = {}, context: RefusalContext = {}): Promise<Counted> {
    return this.txs.waitUntilCounted(txId, options, context);
  }

  elections(): Promise<ElectionSummary[]> {
    return this.api.query<ElectionSummary[]>(VOTING_APP_ID, 'elections');
  }

  election(id: string): Promise<ElectionDetails> {
    return this.api.query<ElectionDetails>(VOTING_APP_ID, 'election', { id: checkElectionId(id) });
  }

  tally(election: string): Promise<Tally> {
    return this.api.query<Tally>(VOTING_APP_ID, 'tally', { election: checkElectionId(election) });
  }

  receipt(election: string, voterPublicKey: string): Promise<Receipt> {
    return this.api.query<Receipt>(VOTING_APP_ID, 'receipt', { election: checkElectionId(election), voter: voterPublicKey });
  }

  /**
   * The receipt with the confirmations of its block, both from the best chain: the app's
   * record and the node's transaction status are read one after the other, so a reorg in
   * between is read again rather than reported in a block that lost.
   */
  async countedReceipt(
    election: string,
    voterPublicKey: string,
  ): Promise<(Receipt & { counted: false }) | (Receipt & { counted: true; confirmations: number })> {
    for (let attempt = 0; ; attempt++) {
      const receipt = await this.receipt(election, voterPublicKey);
      if (!receipt.counted) return receipt;
      const status = await this.api.txStatus(receipt.txId).catch((err: unknown) => {
        if (err instanceof CairnError && err.code === 'TX_UNKNOWN') return undefined;
        throw err;
      });
      if (status?.status === 'confirmed' && status.blockHash === receipt.blockHash)
        return { ...receipt, confirmations: status.confirmations };
      if (attempt >= 2) return { counted: false };
    }
  }
}

/** The voting app's sentences for a refusal and for a ballot the node dropped. */
const VOTING_WORDING: TxWording<RefusalContext> = {
  refused: explainRefusal,
  // The mempool re-checks what it holds after each block: a ballot whose voter was counted
  // through another node meanwhile is dropped, and the chain already says why.
  dropped: (txId, context) =>
    new VoteRefused(
      'TX_DROPPED',
      context.election && context.signer
        ? `refused: the node dropped the ballot of '${context.signer}' because another ballot of that voter was counted first in election '${context.election}'`
        : `refused: the node dropped transaction ${txId.slice(0, 12)} because a conflicting transaction was counted first`,
      { txId },
    ),
};
