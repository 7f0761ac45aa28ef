import { damagedStore, StoreError } from '../../kernel/index.js';

/** The one sentence for a store another process holds, whether LevelDB or a lock probe found it. */
export function storeLocked(location: string, details: Record<string, unknown> = { location }): StoreError {
  return new StoreError(
    'STORE_LOCKED',
    `the store at ${location} is already open elsewhere: a node may already be running on that data dir`,
    details,
  );
}

interface CodedError {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

/**
 * classic-level wraps every failure to open in LEVEL_DATABASE_NOT_OPEN and puts the reason
 * in `cause`: LEVEL_LOCKED, LEVEL_CORRUPTION, LEVEL_IO_ERROR (with LevelDB's own text, e.g.
 * "...: Permission denied") or a Node fs error from creating the directory (EACCES, EEXIST).
 * Failures after open (a damaged table found by a read) arrive unwrapped.
 */
export function toStoreError(err: unknown, location: string): StoreError {
  if (err instanceof StoreError) return err;
  const reason = innermost(err);
  const code = typeof reason.code === 'string' ? reason.code : undefined;
  const text = typeof reason.message === 'string' ? reason.message : String(err);
  const details = { location, cause: text, ...(code ? { causeCode: code } : {}) };

  if (code === 'LEVEL_LOCKED') return storeLocked(location, details);
  // A file LevelDB's manifest lists but cannot find is as damaged as a bad checksum.
  if (code === 'LEVEL_CORRUPTION' || (code === 'LEVEL_IO_ERROR' && /No such file or directory/.test(text))) {
    return damaged(location, text, details);
  }
  if (
    code === 'EACCES' ||
    code === 'EPERM' ||
    code === 'EROFS' ||
    /Permission denied|Operation not permitted|Read-only file system/.test(text)
  ) {
    return new StoreError('STORE_UNAVAILABLE', `the store at ${location} cannot be opened: permission denied`, details);
  }
  if (code === 'EEXIST' || code === 'ENOTDIR') {
    return new StoreError(
      'STORE_UNAVAILABLE',
      `the store at ${location} cannot be opened: that path, or one of its parents, is not a directory`,
      details,
    );
  }
  if (code === 'LEVEL_DATABASE_NOT_OPEN') return closed(location);
  // Failures that clear by themselves once space, quota, descriptors or memory are freed.
  if (code === 'ENOSPC' || code === 'EDQUOT' || /No space left on device|Disk quota exceeded/.test(text)) {
    return new StoreError('STORE_FULL', `the disk holding the store at ${location} is full (${text})`, { ...details, retryable: true });
  }
  if (code === 'EMFILE' || code === 'ENFILE' || code === 'ENOMEM' || /Too many open files|Cannot allocate memory/.test(text)) {
    return new StoreError('STORE_UNAVAILABLE', `the store at ${location} cannot write for now (${text})`, { ...details, retryable: true });
  }
  // EIO and the rest: a failing disk or a file system remounted read-only needs a person.
  return new StoreError('STORE_UNAVAILABLE', `the store at ${location} cannot be used: ${text}`, details);
}

export function damaged(location: string, reason: string, details?: Record<string, unknown>): StoreError {
  return damagedStore(location, reason, details);
}

export function closed(location: string): StoreError {
  return new StoreError('STORE_CLOSED', `the store at ${location} is not open: start it first`, { location });
}

/** The deepest `cause`: the wrapper says only that opening failed. */
function innermost(err: unknown): CodedError {
  let current: CodedError = typeof err === 'object' && err !== null ? (err as CodedError) : { message: String(err) };
  for (let depth = 0; depth < 5 && typeof current.cause === 'object' && current.cause !== null; depth++) {
    current = current.cause as CodedError;
  }
  return current;
}
