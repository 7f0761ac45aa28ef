import { StoreError } from '../errors.js';
import type { StoreOp } from '../services.js';

// A lone surrogate has no UTF-8 encoding: LevelDB would store U+FFFD instead, so the value
// read back would differ from the value written. Refusing it keeps every store identical.
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Store plugins call this first: it checks a whole batch before any of it is applied, so a
 * bad op rejects the batch with nothing written (LevelDB itself would store the number 5 as
 * '5'), and returns plain copies the caller can no longer mutate.
 */
export function checkedOps(ops: readonly StoreOp[], location: string): StoreOp[] {
  if (!Array.isArray(ops)) throw badOp(location, 'a batch must be an array of operations');
  return ops.map((op, index) => {
    const candidate = op as { type?: unknown; key?: unknown; value?: unknown } | null;
    if (typeof candidate !== 'object' || candidate === null) throw badOp(location, `operation ${index} is not an object`);
    const { type, key, value } = candidate;
    if (!isStoreString(key)) throw badOp(location, `operation ${index} has a key that is not a well-formed string`);
    if (type === 'del') return { type, key };
    if (type !== 'put') throw badOp(location, `operation ${index} has type '${String(type)}', not 'put' or 'del'`);
    if (!isStoreString(value)) throw badOp(location, `operation ${index} puts a value that is not a well-formed string`);
    return { type, key, value };
  });
}

function isStoreString(value: unknown): value is string {
  return typeof value === 'string' && !LONE_SURROGATE.test(value);
}

function badOp(location: string, reason: string): StoreError {
  return new StoreError('STORE_BAD_OP', `a batch for the store at ${location} was refused and nothing was written: ${reason}`, {
    location,
  });
}
