import { verdictOf, type BlockRejectionCode, type TxRejectionCode, type Verdict } from './verdicts.js';

/**
 * Every error cairn raises on purpose carries a stable `code` (for tests, scripts and
 * peer scoring) and one human sentence (for people). Anything else that reaches the CLI
 * is a bug.
 */
export class CairnError extends Error {
  readonly code: string;
  readonly details?: Record<string, unknown>;

  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

/** A bad flag, config file or genesis file. */
export class ConfigError extends CairnError {}

/** The DI wiring of a node is incomplete: a token nobody provides, or an `undefined` dependency. */
export class WiringError extends CairnError {}

/**
 * The store cannot be used: damaged, foreign, locked, full or of an unknown format. A write
 * failure that may clear by itself (a full disk) carries `details.retryable: true`.
 */
export class StoreError extends CairnError {}

/** A store failure that may clear without anyone repairing anything: the disk was full. */
export function isRetryableStoreError(err: unknown): boolean {
  return err instanceof StoreError && err.details?.retryable === true;
}

/**
 * The one sentence for a store that holds data it cannot read back whole. Nothing is reset:
 * `cairn chain repair` keeps the damaged store aside and rebuilds one from what it still holds.
 */
export function damagedStore(location: string, reason: string, details?: Record<string, unknown>): StoreError {
  return new StoreError(
    'STORE_DAMAGED',
    `the store at ${location} is damaged (${reason}) and will not be reset silently: stop any node on it and run \`cairn chain repair\` on its data dir to rebuild it from what it still holds`,
    { location, cause: reason, ...details },
  );
}

/** A keystore problem: unknown key, bad name, unreadable file. */
export class KeyError extends CairnError {}

/** A block failed one step of the validation pipeline; its code decides the verdict (verdicts.ts). */
export class BlockRejection extends CairnError {
  declare readonly code: BlockRejectionCode;
  constructor(code: BlockRejectionCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }

  get verdict(): Verdict {
    return verdictOf(this.code);
  }
}

/** A transaction was refused (mempool path) or made its block invalid (block path). */
export class TxRejection extends CairnError {
  constructor(code: TxRejectionCode | (string & {}), message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }

  /** From the code: the kernel's own codes have their rows, an app's codes share `APP_RULE`'s. */
  get verdict(): Verdict {
    return verdictOf(this.code);
  }
}

/**
 * Thrown by a chain app's `check` (or `apply`) to refuse a transaction. The app picks the
 * code (`BALLOT_DUPLICATE`); the kernel wraps it in a TxRejection with that same code.
 */
export class AppRejection extends CairnError {}

/**
 * An app's refusal, also when the app was built against another copy of cairn (an app
 * package with its own node_modules): its class is then not this module's AppRejection.
 */
export function isAppRejection(err: unknown): err is AppRejection {
  if (err instanceof AppRejection) return true;
  const e = err as { name?: unknown; code?: unknown; message?: unknown } | null;
  return err instanceof Error && e?.name === 'AppRejection' && typeof e.code === 'string';
}

/** Turns anything thrown into one line a person can read, without a stack trace. */
export function describeError(err: unknown): string {
  if (err instanceof CairnError) return `${err.message} (${err.code})`;
  if (err instanceof Error) return err.message;
  return String(err);
}

export { BLOCK_REJECTION_CODES, TX_REJECTION_CODES, type BlockRejectionCode, type TxRejectionCode, type Verdict } from './verdicts.js';
