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
import { CairnError, ConfigError } from '../../kernel/index.js';
import type { Keystore, StoredKey } from '../../kernel/index.js';
import { HASH_RE, privateKeyFromHex, signTx, type Tx } from '../../kernel/index.js';
import type { ApiClient, ApiEvent, StatusResponse } from '../../plugins/http-api/index.js';
import { explainRefusal, VoteRefused, type RefusalContext } from './refusal.js';

/** What happens to a transaction between submission and being counted, for progress lines. */
export type TxProgress =
  | { stage: 'submitted'; txId: string; known: boolean; createdKeys: CreatedKey[] }
  | { stage: 'mining'; txId: string; tipHeight: number }
  | { stage: 'confirming'; txId: string; height: number; blockHash: string; confirmations: number; wanted: number }
  | { stage: 'orphaned'; txId: string; height: number; blockHash: string }
  | { stage: 'counted'; txId: string; height: number; blockHash: string; confirmations: number };

/** A key written to the keystore because the node accepted a transaction that needed it. */
export interface CreatedKey {
  name: string;
  publicKey: string;
  file: string;
}

/** A block of the node's best chain that holds the transaction. */
export interface Counted {
  txId: string;
  height: number;
  blockHash: string;
  /** Tip height − block height + 1, when the node answered. */
  confirmations: number;
}

export interface WaitOptions {
  onProgress?: (progress: TxProgress) => void;
  /** Give up after this long; default two minutes. */
  timeoutMs?: number;
  /** Stops waiting (Ctrl-C at the prompt); the transaction may still be counted later. */
  signal?: AbortSignal;
  /** Blocks wanted on top of and including the one that holds the transaction; default 1. */
  confirmations?: number;
}

export interface SubmitOptions extends WaitOptions {
  /** Return once the node has accepted the transaction, without waiting for a block. */
  wait?: boolean;
}

export interface Submitted {
  txId: string;
  /** Public key of the signer. */
  from: string;
  /** The node had this exact transaction already. */
  known: boolean;
  /** Key names written to the keystore because the node accepted this transaction. */
  createdKeys: CreatedKey[];
  /** Set when waited for. */
  counted?: Counted;
}

export interface VoterKey {
  name: string;
  publicKey: string;
  /** Not in the keystore yet: written there once the node accepts a transaction it signed. */
  created: boolean;
}

const DEFAULT_WAIT_MS = 120_000;
// Events wake the wait at once; the poll only covers a stream that could not be opened or broke.
const POLL_MS = 1_000;
const PUBLIC_KEY = HASH_RE;
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
  private chainIdCache?: string;
  private nonceCounter = 0;
  /** Keys made for names the keystore does not hold yet; saved when a transaction is accepted. */
  private readonly drafts = new Map<string, StoredKey>();

  constructor(
    readonly api: ApiClient,
    readonly keystore: Keystore,
  ) {}

  /**
   * The voter's key: the stored one, else a new pair held here and written to the keystore only
   * once the node accepts a transaction it signed (`created` says it is new).
   */
  voter(name: string): VoterKey {
    if (this.keystore.has(name)) return { name, publicKey: this.keystore.get(name).publicKey, created: false };
    const draft = this.drafts.get(name) ?? this.keystore.draft(name);
    this.drafts.set(name, draft);
    return { name, publicKey: draft.publicKey, created: true };
  }

  /** A public key given as such (64 hex digits), else the key of that name, which must exist. */
  publicKeyOf(nameOrKey: string): string {
    if (PUBLIC_KEY.test(nameOrKey)) return nameOrKey;
    return this.keystore.get(nameOrKey).publicKey;
  }

  /** Like `publicKeyOf`, but a new name gets a key, kept like a new voter's (`voter`). */
  publicKeyOrNew(nameOrKey: string): string {
    return PUBLIC_KEY.test(nameOrKey) ? nameOrKey : this.voter(nameOrKey).publicKey;
  }

  private signingKey(name: string): StoredKey {
    if (this.keystore.has(name)) return this.keystore.get(name);
    this.voter(name);
    return this.drafts.get(name)!;
  }

  /** Writes the keys made for a transaction the node accepted. */
  private keepDrafts(): CreatedKey[] {
    const created = [...this.drafts.values()].map((key) => {
      this.keystore.save(key);
      return { name: key.name, publicKey: key.publicKey, file: this.keystore.file(key.name) };
    });
    this.drafts.clear();
    return created;
  }

  async chainId(): Promise<string> {
    this.chainIdCache ??= (await this.api.status()).chainId;
    return this.chainIdCache;
  }

  status(): Promise<StatusResponse> {
    return this.api.status();
  }

  /** Signs `call` with the key named `signer` (new if need be: see `voter`) and submits it. */
  async submit(
    call: VotingCall<string, unknown>,
    signer: string,
    context: RefusalContext = {},
    options: SubmitOptions = {},
  ): Promise<Submitted> {
    const key = this.signingKey(signer);
    const tx = signTx(
      await this.chainId(),
      { app: call.app, type: call.type, payload: call.payload, from: key.publicKey, nonce: this.nextNonce() },
      privateKeyFromHex(key),
    );
    const ctx = { signer, ...context };
    const { id, known } = await this.submitSigned(tx, ctx);
    const createdKeys = this.keepDrafts();
    options.onProgress?.({ stage: 'submitted', txId: id, known: known === true, createdKeys });
    const submitted: Submitted = { txId: id, from: key.publicKey, known: known === true, createdKeys };
    if (options.wait === false) return submitted;
    submitted.counted = await this.waitUntilCounted(id, options, ctx);
    return submitted;
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

  /**
   * Resolves once the transaction is in a block of this node's best chain with the wanted
   * confirmations. Each new block or reorg wakes it (an event stream), with a slow poll behind
   * in case the stream breaks. The node's answer names the best chain's block, so a block that
   * loses a fork is reported as such and the wait goes on. A transaction the node dropped (a
   * conflicting one was counted first) is a refusal, not an endless wait.
   */
  async waitUntilCounted(txId: string, options: WaitOptions = {}, context: RefusalContext = {}): Promise<Counted> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
    const wanted = options.confirmations ?? 1;
    const deadline = Date.now() + timeoutMs;
    let wake: (() => void) | undefined;
    let tipHeight = -1;
    const onEvent = (event: ApiEvent) => {
      if (event.type === 'block') tipHeight = Math.max(tipHeight, event.data.height);
      wake?.();
    };
    const stream = await this.api.events(onEvent, { types: ['block', 'reorg'] }).catch(() => undefined);
    const onAbort = () => wake?.();
    options.signal?.addEventListener('abort', onAbort);
    // The block last seen holding the transaction, to tell when it leaves the best chain.
    let seen: { height: number; blockHash: string } | undefined;
    try {
      for (;;) {
        if (options.signal?.aborted) {
          throw new CairnError('WAIT_STOPPED', `stopped waiting for transaction ${txId.slice(0, 12)}; it may still be counted`);
        }
        const status = await this.txStatusOrDropped(txId, context);
        const inBlock = status.status === 'confirmed' ? status : undefined;
        if (seen && seen.blockHash !== inBlock?.blockHash) {
          options.onProgress?.({ stage: 'orphaned', txId, ...seen });
          seen = undefined;
        }
        if (inBlock) {
          const { height, blockHash, confirmations } = inBlock;
          if (confirmations >= wanted) {
            const counted = { txId, height, blockHash, confirmations };
            options.onProgress?.({ stage: 'counted', ...counted });
            return counted;
          }
          seen = { height, blockHash };
          options.onProgress?.({ stage: 'confirming', txId, height, blockHash, confirmations, wanted });
        } else if (tipHeight >= 0) {
          options.onProgress?.({ stage: 'mining', txId, tipHeight });
        }
        const left = deadline - Date.now();
        if (left <= 0) throw await this.notCounted(txId, timeoutMs, seen && wanted);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(POLL_MS, left));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      stream?.close();
    }
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

  private async submitSigned(tx: Tx, context: RefusalContext): Promise<{ id: string; known?: boolean }> {
    try {
      return await this.api.submitTx(tx);
    } catch (err) {
      throw explainRefusal(err, context);
    }
  }

  private async txStatusOrDropped(txId: string, context: RefusalContext) {
    try {
      return await this.api.txStatus(txId);
    } catch (err) {
      if (!(err instanceof CairnError) || err.code !== 'TX_UNKNOWN') throw err;
      // The mempool re-checks what it holds after each block: a ballot whose voter was counted
      // through another node meanwhile is dropped, and the chain already says why.
      throw new VoteRefused(
        'TX_DROPPED',
        context.election && context.signer
          ? `refused: the node dropped the ballot of '${context.signer}' because another ballot of that voter was counted first in election '${context.election}'`
          : `refused: the node dropped transaction ${txId.slice(0, 12)} because a conflicting transaction was counted first`,
        { txId },
      );
    }
  }

  /** `inBlockWanting`: the transaction is in a block, short of this many confirmations. */
  private async notCounted(txId: string, timeoutMs: number, inBlockWanting?: number): Promise<CairnError> {
    const status = await this.api.status().catch(() => undefined);
    const hint = status?.mining === 'off' ? ': the node does not mine (start it with --mine on-demand)' : ', it may still be counted later';
    const what = inBlockWanting ? `did not reach ${inBlockWanting} confirmations` : 'was not counted';
    return new CairnError('WAIT_TIMEOUT', `transaction ${txId.slice(0, 12)} ${what} within ${Math.round(timeoutMs / 1000)} s${hint}`, {
      txId,
    });
  }

  /** Unique per transaction so that two ballots of one voter are two transactions, each judged. */
  private nextNonce(): number {
    this.nonceCounter = (this.nonceCounter + 1) % 1000;
    return Date.now() * 1000 + this.nonceCounter;
  }
}
