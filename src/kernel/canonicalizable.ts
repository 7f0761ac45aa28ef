const LONE_SURROGATE = /\p{Cs}/u;

export type JsonFlaw = 'too-deep' | 'not-canonicalizable';

/**
 * What makes a parsed JSON value unusable as a transaction: nesting deeper than `maxDepth`
 * (an array or object is one level), or a value JCS (the `canonicalize` package) cannot
 * encode. JSON may spell a lone surrogate (`"\ud800"`) or a number too large for a double
 * (`1e999`, parsed as Infinity); JSON.parse keeps both but canonicalize throws on them, so a
 * value holding one can be neither signed nor hashed. Iterative, and depth is checked as the
 * walk descends, so a value built to any depth in-process cannot overflow the stack here.
 */
export function jsonFlaw(value: unknown, maxDepth: number): JsonFlaw | undefined {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return 'not-canonicalizable';
    } else if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v)) return 'not-canonicalizable';
    } else if (typeof v === 'object' && v !== null) {
      if (depth + 1 > maxDepth) return 'too-deep';
      if (Array.isArray(v)) for (const item of v) stack.push([item, depth + 1]);
      else {
        for (const [key, item] of Object.entries(v)) {
          if (LONE_SURROGATE.test(key)) return 'not-canonicalizable';
          stack.push([item, depth + 1]);
        }
      }
    }
  }
  return undefined;
}

/** Freezes a value and everything it holds, iteratively. */
export function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
      Object.freeze(v);
      for (const child of Object.values(v)) stack.push(child);
    }
  }
  return value;
}
