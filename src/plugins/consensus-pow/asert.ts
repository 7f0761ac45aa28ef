import type { DifficultyRule } from './difficulty-rule.js';
import { bigIntToTarget, MAX_TARGET, targetToBigInt } from './target.js';

export interface AsertParams {
  initialTarget: string;
  blockTimeMs: number;
  halfLifeMs: number;
}

/** 2^x for x in [0, 1) as 16-bit fixed point; Bitcoin Cash aserti3-2d's cubic, exact at both ends. */
function pow2Fraction(frac: bigint): bigint {
  return 65536n + ((195_766_423_245_049n * frac + 971_821_376n * frac * frac + 5127n * frac * frac * frac + (1n << 47n)) >> 48n);
}

/**
 * Absolutely scheduled exponential retargeting (Bitcoin Cash aserti3-2d), anchored at the
 * height-1 block of the branch rather than at genesis, whose time is fixed by the chain
 * parameters and may lie months before the network starts. Block h is due at
 * anchor.time + (h - anchor.height) * blockTimeMs; the child of a parent that is `drift` ms
 * behind that schedule gets initialTarget * 2^(drift / halfLife). The schedule is absolute, so
 * errors never accumulate. The anchor's own target is initialTarget and its own time is its
 * schedule, so the anchor's child inherits initialTarget exactly; Bitcoin Cash's "+1" is absent
 * because its anchor time is the anchor's parent's timestamp, where ours is the anchor's own.
 * Only integer arithmetic: every node must compute the identical target.
 */
/**
 * How much easier than the initial target ASERT may go: 16 half-lives of slow blocks. Past it
 * the target stays put (Bitcoin's powLimit), so a block, or an orphan judged before its parent
 * is known, can never claim a target easier than the chain's own limit.
 */
export const ASERT_LIMIT_HALVINGS = 16n;

export function asertMaxTarget(initialTarget: string): bigint {
  const limit = targetToBigInt(initialTarget) << ASERT_LIMIT_HALVINGS;
  return limit > MAX_TARGET ? MAX_TARGET : limit;
}

export function asertTarget(parent: { height: number; time: number }, anchor: { height: number; time: number }, p: AsertParams): string {
  const initial = targetToBigInt(p.initialTarget);
  const limit = asertMaxTarget(p.initialTarget);
  const drift = BigInt(parent.time) - BigInt(anchor.time) - BigInt(p.blockTimeMs) * BigInt(parent.height - anchor.height);
  // BigInt division truncates toward zero like aserti3-2d's int64 division; the shift below floors.
  const exponent = (drift * 65536n) / BigInt(p.halfLifeMs);
  const shifts = (exponent >> 16n) - 16n;
  const frac = exponent & 0xffffn;
  // Past these bounds the result is clamped anyway; skipping the shift keeps absurd timestamps cheap.
  if (shifts > 256n) return bigIntToTarget(limit);
  if (shifts < -290n) return bigIntToTarget(0n);
  const scaled = initial * pow2Fraction(frac);
  const target = shifts >= 0n ? scaled << shifts : scaled >> -shifts;
  return bigIntToTarget(target > limit ? limit : target);
}

export function asertRule(p: AsertParams): DifficultyRule {
  // Until there is an anchor (the parent is genesis) there is no schedule to be off.
  return {
    nextTarget: (parent, anchor) => (anchor ? asertTarget(parent, anchor, p) : p.initialTarget),
    maxTarget: bigIntToTarget(asertMaxTarget(p.initialTarget)),
  };
}
