const LONE_SURROGATE = /\p{Cs}/u;

/**
 * True when JCS (the `canonicalize` package) can encode a parsed JSON value. JSON may spell a
 * lone surrogate (`"\ud800"`) or a number too large for a double (`1e999`, parsed as Infinity);
 * JSON.parse keeps both but canonicalize throws on them, so a value holding one can be neither
 * signed nor hashed, and receivers must refuse it up front.
 */
export function isCanonicalizable(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value === 'string') return !LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.every(isCanonicalizable);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).every(([key, v]) => !LONE_SURROGATE.test(key) && isCanonicalizable(v));
  }
  return true;
}
