import { CairnError, HASH_RE, privateKeyFromHex, signTx, type Keystore, type StoredKey, type Tx } from '../../kernel/index.js';
import { ApiError, type ApiClient, type ApiEvent, type StatusResponse } from '../../plugins/http-api/index.js';

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

/** What a command's `--json` says of a submission: the keys it made and where it was counted (null with --no-wait). */
export interface SubmissionResult {
  txId: string;
  /** The node had this very transaction already. */
  known: boolean;
  /** Key names this command added to the keystore. */
  createdKeys: string[];
  counted: { height: number; blockHash: string; confirmations: number } | null;
}

export function submissionResult({ txId, known, createdKeys, counted }: Submitted): SubmissionResult {
  return {
    txId,
    known,
    createdKeys: createdKeys.map((key) => key.name),
    counted: counted ? { height: counted.height, blockHash: counted.blockHash, confirmations: counted.confirmations } : null,
  };
}

export interface SignerKey {
  name: string;
  publicKey: string;
  /** Not in the keystore yet: written there once the node accepts a transaction it signed. */
  created: boolean;
}

/** What one transaction asks of an app: its id, the transaction type and the payload. */
export interface TxCall {
  app: string;
  type: string;
  payload: unknown;
}

/** What a refusal is about; an app's client adds its own fields for its sentences. */
export interface TxContext {
  /** Key name of the signer, as the user typed it. */
  signer?: string;
}

/**
 * A transaction the node or the chain refused, with the app's (or kernel's) code and one
 * sentence a person can act on. The CLI prints it as `Error: <sentence> (<code>)` and exits 1.
 */
export class TxRefused extends CairnError {}

/** How an app's client words what went wrong; the defaults pass the node's own sentence on. */
export interface TxWording<C extends TxContext> {
  /** A refusal of the submission, in the app's words (or the error unchanged). */
  refused(err: unknown, context: C): unknown;
  /** The node no longer knows a transaction it had accepted. */
  dropped(txId: string, context: C): CairnError;
}

/** The node answered and refused; a bad token or an absent node already says what is wrong. */
function isRefusal(err: unknown): err is ApiError {
  return err instanceof ApiError && err.status >= 400 && err.status !== 401 && err.status !== 403 && err.status !== 404;
}

export const GENERIC_WORDING: TxWording<TxContext> = {
  refused: (err) => (isRefusal(err) ? new TxRefused(err.code, `refused: ${err.message}`, { ...err.details, cause: err.message }) : err),
  dropped: (txId) =>
    new TxRefused(
      'TX_DROPPED',
      `refused: the node dropped transaction ${txId.slice(0, 12)} because a conflicting transaction was counted first`,
      { txId },
    ),
};

const DEFAULT_WAIT_MS = 120_000;
// Events wake the wait at once; the poll only covers a stream that could not be opened or broke.
const POLL_MS = 1_000;

/**
 * Any app's transactions seen from a client: keys from a keystore (a key name is created on
 * first use and kept only once the node accepts what it signed), transactions signed here and
 * submitted to one node through its API, and the wait until a block of the best chain counts
 * them. `cairn tx` uses it as is; an app's client (VotingClient) adds its wording.
 */
export class TxClient<C extends TxContext = TxContext> {
  private chainIdCache?: string;
  private nonceCounter = 0;
  /** Keys made for names the keystore does not hold yet; saved when a transaction is accepted. */
  private readonly drafts = new Map<string, StoredKey>();

  constructor(
    readonly api: ApiClient,
    readonly keystore: Keystore,
    private readonly wording: TxWording<C> = GENERIC_WORDING as TxWording<C>,
  ) {}

  /**
   * The key of that name: the stored one, else a new pair held here and written to the keystore
   * only once the node accepts a transaction it signed (`created` says it is new).
   */
  key(name: string): SignerKey {
    const stored = this.keystore.find(name);
    if (stored) return { name, publicKey: stored.publicKey, created: false };
    const draft = this.drafts.get(name) ?? this.keystore.draft(name);
    this.drafts.set(name, draft);
    return { name, publicKey: draft.publicKey, created: true };
  }

  /** A public key given as such (64 hex digits), else the key of that name, which must exist. */
  publicKeyOf(nameOrKey: string): string {
    if (HASH_RE.test(nameOrKey)) return nameOrKey;
    return this.keystore.get(nameOrKey).publicKey;
  }

  /** Like `publicKeyOf`, but a new name gets a key, kept like a new signer's (`key`). */
  publicKeyOrNew(nameOrKey: string): string {
    return HASH_RE.test(nameOrKey) ? nameOrKey : this.key(nameOrKey).publicKey;
  }

  async chainId(): Promise<string> {
    this.chainIdCache ??= (await this.api.status()).chainId;
    return this.chainIdCache;
  }

  status(): Promise<StatusResponse> {
    return this.api.status();
  }

  /** Signs `call` with the key named `signer` (new if need be: see `key`), submits it and, unless told not to, waits. */
  async submit(call: TxCall, signer: string, options: SubmitOptions = {}, context?: C): Promise<Submitted> {
    const key = this.signingKey(signer);
    const tx = signTx(
      await this.chainId(),
      { app: call.app, type: call.type, payload: call.payload, from: key.publicKey, nonce: this.nextNonce() },
      privateKeyFromHex(key),
    );
    const ctx = { signer, ...context } as C;
    const { id, known } = await this.submitSigned(tx, ctx);
    const createdKeys = this.keepDrafts();
    options.onProgress?.({ stage: 'submitted', txId: id, known: known === true, createdKeys });
    const submitted: Submitted = { txId: id, from: key.publicKey, known: known === true, createdKeys };
    if (options.wait === false) return submitted;
    submitted.counted = await this.waitUntilCounted(id, options, ctx);
    return submitted;
  }

  /**
   * Resolves once the transaction is in a block of this node's best chain with the wanted
   * confirmations. Each new block or reorg wakes it (an event stream), with a slow poll behind
   * in case the stream breaks. The node's answer names the best chain's block, so a block that
   * loses a fork is reported as such and the wait goes on. A transaction the node dropped (a
   * conflicting one was counted first) is a refusal, not an endless wait.
   */
  async waitUntilCounted(txId: string, options: WaitOptions = {}, context = {} as C): Promise<Counted> {
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
          throw new CairnError('WAIT_STOPPED', `stopped waiting for transaction ${txId}; it may still be counted`);
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
        if (left <= 0) throw await this.notCounted(txId, timeoutMs, seen && { ...seen, wanted });
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

  private signingKey(name: string): StoredKey {
    const stored = this.keystore.find(name);
    if (stored) return stored;
    this.key(name);
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

  private async submitSigned(tx: Tx, context: C): Promise<{ id: string; known?: boolean }> {
    try {
      return await this.api.submitTx(tx);
    } catch (err) {
      throw this.wording.refused(err, context);
    }
  }

  private async txStatusOrDropped(txId: string, context: C) {
    try {
      return await this.api.txStatus(txId);
    } catch (err) {
      if (!(err instanceof CairnError) || err.code !== 'TX_UNKNOWN') throw err;
      // The mempool re-checks what it holds after each block: a transaction that conflicts with
      // one counted meanwhile (through another node) is dropped, and the chain already says why.
      throw this.wording.dropped(txId, context);
    }
  }

  /**
   * Why the wait ended, with the full id (`cairn tx show ID` takes only that). A transaction in
   * a block short of its confirmations is counted already; on a node that mines on demand, more
   * blocks come only with more transactions, which the sentence says.
   */
  private async notCounted(
    txId: string,
    timeoutMs: number,
    inBlock?: { height: number; blockHash: string; wanted: number },
  ): Promise<CairnError> {
    const status = await this.api.status().catch(() => undefined);
    const seconds = Math.round(timeoutMs / 1000);
    if (inBlock) {
      const why =
        status?.mining === 'on-demand'
          ? '; the node mines on demand, so further blocks come only with further transactions'
          : status?.mining === 'off'
            ? '; the node does not mine, so only its peers can add blocks'
            : '';
      return new CairnError(
        'WAIT_TIMEOUT',
        `transaction ${txId} is counted in block ${inBlock.height} but did not reach ${inBlock.wanted} confirmations within ${seconds} s${why}`,
        { txId, height: inBlock.height, blockHash: inBlock.blockHash },
      );
    }
    const hint = status?.mining === 'off' ? ': the node does not mine (start it with --mine on-demand)' : '; it may still be counted later';
    return new CairnError('WAIT_TIMEOUT', `transaction ${txId} was not counted within ${seconds} s${hint} (cairn tx show ${txId})`, {
      txId,
    });
  }

  /** Unique per transaction so that two transactions of one signer with one payload are two, each judged. */
  private nextNonce(): number {
    this.nonceCounter = (this.nonceCounter + 1) % 1000;
    return Date.now() * 1000 + this.nonceCounter;
  }
}
