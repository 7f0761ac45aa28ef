import { CryptoError } from './errors.js';
import { G, Point, publicMul } from './group.js';

/**
 * The m in [0, max] with M = m·G, by baby-step giant-step: ⌈√(max+1)⌉ baby steps kept by
 * encoding, then at most as many giant steps. A tally of a million voters costs about two
 * thousand additions and encodings, not a million.
 */
export function smallDiscreteLog(target: Point, max: number): number {
  if (target.is0()) return 0;
  const m = Math.ceil(Math.sqrt(max + 1));
  const baby = new Map<string, number>();
  let p = Point.ZERO;
  for (let j = 0; j < m; j++) {
    baby.set(p.toHex(), j);
    p = p.add(G);
  }
  const giant = publicMul(G, BigInt(m)).negate();
  let gamma = target;
  for (let i = 0; i <= m; i++) {
    const j = baby.get(gamma.toHex());
    if (j !== undefined) {
      const found = i * m + j;
      if (found <= max) return found;
      break;
    }
    gamma = gamma.add(giant);
  }
  throw new CryptoError('TALLY_OUT_OF_RANGE', `the decrypted total is not a count from 0 to ${max}`);
}
