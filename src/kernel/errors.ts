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

/**
 * What the receiver of untrusted input does with it, as in Lodestar's gossip validation:
 * `reject` means the sender was at fault (it costs that peer score); `ignore` means drop
 * quietly (a duplicate, a block we already have, an orphan we will ask about).
 */
export type Verdict = 'reject' | 'ignore';

/** A block failed one step of the validation pipeline. */
export class BlockRejection extends CairnError {
  constructor(
    code: BlockRejectionCode,
    message: string,
    readonly verdict: Verdict = 'reject',
    details?: Record<string, unknown>,
  ) {
    super(code, message, details);
  }
}

/** A transaction was refused (mempool path) or made its block invalid (block path). */
export class TxRejection extends CairnError {
  constructor(
    code: TxRejectionCode | string,
    message: string,
    readonly verdict: Verdict = 'reject',
    details?: Record<string, unknown>,
  ) {
    super(code, message, details);
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

export const BLOCK_REJECTION_CODES = [
  'BLOCK_MALFORMED',
  'BLOCK_TOO_LARGE',
  'BLOCK_BAD_POW',
  'BLOCK_KNOWN',
  'BLOCK_INVALID_ANCESTOR',
  'BLOCK_UNKNOWN_PARENT',
  'BLOCK_BAD_HEIGHT',
  'BLOCK_BAD_TARGET',
  'BLOCK_BAD_VERSION',
  'BLOCK_TIME_TOO_NEW',
  'BLOCK_TIME_TOO_OLD',
  'BLOCK_BAD_TX_ROOT',
  'BLOCK_DUPLICATE_TX',
  'BLOCK_BAD_TX',
] as const;
export type BlockRejectionCode = (typeof BLOCK_REJECTION_CODES)[number];

export const TX_REJECTION_CODES = [
  'TX_MALFORMED',
  'TX_TOO_LARGE',
  'TX_UNKNOWN_APP',
  'TX_UNKNOWN_TYPE',
  'TX_BAD_PAYLOAD',
  'TX_BAD_SIGNATURE',
  'TX_ALREADY_IN_CHAIN',
  'TX_KNOWN',
  'TX_CONFLICT',
  'MEMPOOL_FULL',
] as const;
export type TxRejectionCode = (typeof TX_REJECTION_CODES)[number];

/** Turns anything thrown into one line a person can read, without a stack trace. */
export function describeError(err: unknown): string {
  if (err instanceof CairnError) return `${err.message} (${err.code})`;
  if (err instanceof Error) return err.message;
  return String(err);
}
