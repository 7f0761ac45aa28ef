const LONE_SURROGATE = /\p{Cs}/u;

/**
 * True when every string (and key) in a parsed JSON value is well-formed UTF-16. JSON may spell a
 * lone surrogate (`"\ud800"`) and JSON.parse keeps it, but JCS canonicalization refuses it, so a
 * value holding one can be neither signed nor hashed: receivers must refuse it up front.
 */
export function isWellFormedJson(value: unknown): boolean {
  if (typeof value === 'string') return !LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.every(isWellFormedJson);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).every(([key, v]) => !LONE_SURROGATE.test(key) && isWellFormedJson(v));
  }
  return true;
}
