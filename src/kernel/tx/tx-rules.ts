import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ChainApp, TxContext } from '../app.js';
import { CairnError, isAppRejection, TxRejection } from '../errors.js';
import { StateOverlay, type StateLayer } from '../state.js';
import { sha256hex } from '../hash.js';
import { describeSchemaError, dottedPath } from '../schema-errors.js';
import { compileGuard, TX_SCHEMA } from '../schemas.js';
import { signingBytes, txId, verifyTxSignature, type Tx } from './tx.js';
import { deepFreeze, jsonFlaw } from '../canonicalizable.js';
import { SignatureCache } from './signature-cache.js';

/** The kernel's own state namespace: ids of transactions on the best chain, for replay refusal. */
export const TX_INDEX_APP = '_tx';
export const MAX_TX_BYTES = 16 * 1024;
/**
 * A transaction object is level 1 and its payload level 2, so a payload may nest 14 levels.
 * Inside a gossip message a transaction starts at level 5 (message, blocks, block, txs), well
 * within `MAX_JSON_DEPTH`; the bound comes before any schema check or encoding walks the value.
 */
export const MAX_TX_DEPTH = 16;
const APP_ID = /^[a-z][a-z0-9-]{0,63}$/;

export interface AppEvent {
  app: string;
  event: string;
  data: unknown;
  txId: string;
}

export interface ApplyContext {
  height: number;
  time: number;
  blockHash?: string;
}

export const envelopeAjv = new Ajv({ strict: false, allErrors: false });
const validateEnvelope = compileGuard(envelopeAjv, TX_SCHEMA);

/**
 * One set of transaction rules for every path (mempool, block, verify): the same input gets
 * the same verdict wherever it arrives. App payload schemas are compiled once, here.
 */
export class TxRules {
  private readonly apps = new Map<string, ChainApp>();
  private readonly payloadValidators = new Map<string, ValidateFunction>();
  /** Mempool entry verifies a signature; the blocks that carry it later do not again. */
  private readonly verified = new SignatureCache();
  /**
   * Transaction objects that passed every stateless check, with their ids. A recorded object
   * is frozen, so its id stays true: a block built from them (the miner's template, our own
   * sealed block) skips their encoding, hashing and schema checks.
   */
  private readonly checked = new WeakMap<object, string>();
  /** JSON sizes measured by `checkEnvelope`, so a block template is sized without encoding again. */
  private readonly sizes = new WeakMap<object, number>();

  constructor(
    apps: readonly ChainApp[],
    readonly chainId: string,
  ) {
    const ajv = new Ajv({ strict: false, allErrors: false });
    for (const app of apps) {
      if (!APP_ID.test(app.id)) {
        throw new CairnError('APP_INVALID', `app id '${app.id}' must be lowercase letters, digits and dashes, starting with a letter`);
      }
      if (this.apps.has(app.id)) throw new CairnError('APP_INVALID', `two apps are named '${app.id}'`);
      this.apps.set(app.id, app);
      for (const [type, handler] of Object.entries(app.tx)) {
        try {
          this.payloadValidators.set(`${app.id}/${type}`, ajv.compile(handler.schema));
        } catch (err) {
          throw new CairnError('APP_INVALID', `app '${app.id}' has an invalid schema for '${type}': ${(err as Error).message}`);
        }
      }
    }
  }

  app(id: string): ChainApp | undefined {
    return this.apps.get(id);
  }

  appIds(): string[] {
    return [...this.apps.keys()];
  }

  /** The id of a transaction object that passed `checkStateless`, if this is one. */
  checkedId(raw: unknown): string | undefined {
    return typeof raw === 'object' && raw !== null ? this.checked.get(raw) : undefined;
  }

  /** The id of any well-formed transaction: remembered when checked, else computed. */
  idOf(tx: Tx): string {
    return this.checked.get(tx) ?? txId(this.chainId, tx);
  }

  /** The size of a transaction as JSON: as measured on its way in, else measured now. */
  sizeOf(tx: Tx): number {
    return this.sizes.get(tx) ?? JSON.stringify(tx).length;
  }

  /** Shape and size of the envelope: anything from the network passes here first. */
  checkEnvelope(raw: unknown): Tx {
    return judged(() => this.envelope(raw));
  }

  private envelope(raw: unknown): Tx {
    const flaw = jsonFlaw(raw, MAX_TX_DEPTH);
    if (flaw === 'too-deep') throw new TxRejection('TX_MALFORMED', `transaction nests deeper than ${MAX_TX_DEPTH} levels`);
    if (flaw) throw new TxRejection('TX_MALFORMED', 'transaction holds a lone UTF-16 surrogate or a number beyond a double');
    if (!validateEnvelope(raw)) {
      const e = validateEnvelope.errors![0]!;
      throw new TxRejection('TX_MALFORMED', describeTxError(e, raw));
    }
    const size = JSON.stringify(raw).length;
    if (size > MAX_TX_BYTES) throw new TxRejection('TX_TOO_LARGE', `transaction is larger than ${MAX_TX_BYTES} bytes`);
    this.sizes.set(raw, size);
    return raw;
  }

  /**
   * Everything that does not depend on state: app, type, payload schema, signature. Returns the
   * id. `known`: the transaction's `signingBytes`, when the caller has them already.
   */
  checkStateless(tx: Tx, known?: string): string {
    return judged(() => this.stateless(tx, known));
  }

  private stateless(tx: Tx, known?: string): string {
    const checked = this.checked.get(tx);
    if (checked !== undefined) return checked;
    const app = this.apps.get(tx.app);
    if (!app) throw new TxRejection('TX_UNKNOWN_APP', `this chain runs no app named '${tx.app}'`);
    const validate = this.payloadValidators.get(`${tx.app}/${tx.type}`);
    if (!validate) throw new TxRejection('TX_UNKNOWN_TYPE', `app '${tx.app}' has no transaction type '${tx.type}'`);
    if (!validate(tx.payload)) {
      const e = validate.errors![0]!;
      const why = describeSchemaError(e, { data: tx.payload, schema: validate.schema, name: (path) => dottedPath(path) || 'the payload' });
      throw new TxRejection('TX_BAD_PAYLOAD', `${tx.app}/${tx.type} payload: ${why}`);
    }
    const bytes = known ?? signingBytes(this.chainId, tx);
    const id = sha256hex(bytes);
    if (!this.verified.has(id, tx.sig)) {
      if (!verifyTxSignature(this.chainId, tx, bytes))
        throw new TxRejection('TX_BAD_SIGNATURE', 'the signature does not match the sender, the chain or the content');
      this.verified.add(id, tx.sig);
    }
    this.checked.set(deepFreeze(tx), id);
    return id;
  }

  /**
   * Runs the app's check and reducer in a child overlay of `layer`, merging only on success,
   * so a refused transaction leaves no trace. Events are collected for publication once the
   * block is on the best chain.
   */
  apply(layer: StateOverlay, tx: Tx, id: string, ctx: ApplyContext, events?: AppEvent[]): void {
    if (layer.getRaw(TX_INDEX_APP, id) !== undefined)
      throw new TxRejection('TX_ALREADY_IN_CHAIN', 'this transaction is already on the chain');
    const app = this.apps.get(tx.app)!;
    const handler = app.tx[tx.type]!;
    const scratch = new StateOverlay(layer as StateLayer);
    const view = scratch.view(tx.app);
    const emitted: AppEvent[] = [];
    const context: TxContext = {
      chainId: this.chainId,
      height: ctx.height,
      time: ctx.time,
      blockHash: ctx.blockHash,
      txId: id,
      emit: (event, data) => emitted.push({ app: tx.app, event, data, txId: id }),
    };
    try {
      handler.check?.(view, tx, context);
      handler.apply(view, tx, context);
    } catch (err) {
      if (isAppRejection(err)) throw new TxRejection(err.code, err.message, err.details);
      if (err instanceof TxRejection) throw err;
      throw new TxRejection('TX_APP_ERROR', `app '${tx.app}' failed on '${tx.type}': ${(err as Error)?.message ?? String(err)}`);
    }
    scratch.setRaw(TX_INDEX_APP, id, String(ctx.height));
    scratch.mergeInto(layer);
    events?.push(...emitted);
  }
}

/**
 * Judging untrusted input may throw only coded rejections: anything else (a check that did
 * not foresee a value) means the input is malformed, never that the node is broken.
 */
function judged<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CairnError) throw err;
    throw new TxRejection('TX_MALFORMED', `the transaction could not be judged: ${String((err as Error)?.message ?? err).slice(0, 200)}`);
  }
}

/** Why an envelope failed its schema, in words: `transaction sig must be 128 lowercase hex digits`. */
export function describeTxError(error: ErrorObject, raw: unknown): string {
  return describeSchemaError(error, {
    data: raw,
    schema: TX_SCHEMA,
    name: (path) => (path.length ? `transaction ${dottedPath(path)}` : 'the transaction'),
  });
}
