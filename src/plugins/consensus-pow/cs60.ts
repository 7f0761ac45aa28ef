import type { DifficultyRule } from './difficulty-rule.js';
import { leadingZerosTarget } from './target.js';

/**
 * Largest x with x^3 <= n. The original computed `n ** (1/3)` in floating point, which gives
 * 3.9999... for 64 and so asked for one zero too few at every perfect cube; the float guess
 * here is only a start, corrected with exact integer cubes (heights are u32, so x^3 < 2^53).
 */
export function icbrt(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`icbrt needs a non-negative safe integer, got ${n}`);
  let x = Math.round(Math.cbrt(n));
  while (x > 0 && x * x * x > n) x--;
  while ((x + 1) * (x + 1) * (x + 1) <= n) x++;
  return x;
}

/** Leading hex zeros a block at `height` needs under the original student project's rule. */
export function cs60Zeros(height: number): number {
  return 3 + icbrt(height);
}

/** The original's rule: difficulty grows with the cube root of the chain's length, whatever the block rate. */
export function cs60Rule(): DifficultyRule {
  return { nextTarget: (parent) => leadingZerosTarget(cs60Zeros(parent.height + 1)), maxTarget: leadingZerosTarget(cs60Zeros(0)) };
}
