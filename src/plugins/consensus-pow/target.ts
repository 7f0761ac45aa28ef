/**
 * Targets are 64-char lowercase hex on the wire and in headers, so a proof-of-work check is one
 * string comparison; retargeting needs arithmetic, which is done on bigints so that every node
 * computes the identical target.
 */
export const MAX_TARGET = (1n << 256n) - 1n;
const TWO_256 = 1n << 256n;

export function targetToBigInt(target: string): bigint {
  return BigInt(`0x${target}`);
}

/** Clamps to [1, 2^256 - 1]: a zero target could never be met and a wider one does not fit a hash. */
export function bigIntToTarget(value: bigint): string {
  const clamped = value < 1n ? 1n : value > MAX_TARGET ? MAX_TARGET : value;
  return clamped.toString(16).padStart(64, '0');
}

/** Expected hashes to meet `target`: 2^256 / (target + 1). */
export function workOf(target: string): bigint {
  return TWO_256 / (targetToBigInt(target) + 1n);
}

/** The target met by hashes with at least `zeros` leading hex zeros. */
export function leadingZerosTarget(zeros: number): string {
  const d = Math.min(64, Math.max(0, zeros));
  return '0'.repeat(d) + 'f'.repeat(64 - d);
}
