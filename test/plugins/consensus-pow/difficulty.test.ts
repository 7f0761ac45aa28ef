import { describe, expect, it } from 'vitest';
import type { BlockHeader } from '../../../src/kernel/block.js';
import { ZERO_HASH } from '../../../src/kernel/hash.js';
import type { ChainParams } from '../../../src/kernel/params.js';
import {
  asertTarget,
  cs60Zeros,
  icbrt,
  leadingZerosTarget,
  MAX_TARGET,
  PowConsensus,
  targetToBigInt,
  workOf,
} from '../../../src/plugins/consensus-pow/index.js';

const GENESIS_TIME = 1_767_225_600_000;
const INITIAL = '0000ffff' + 'f'.repeat(56);

function header(height: number, time: number, target = INITIAL): BlockHeader {
  return { version: 1, height, prev: ZERO_HASH, txRoot: ZERO_HASH, time, target, nonce: 0 };
}

function engine(policy: ChainParams['consensus']['policy'], extra: Partial<ChainParams['consensus']> = {}): PowConsensus {
  return new PowConsensus({
    consensus: { policy, blockTimeMs: 10_000, initialTarget: INITIAL, halfLifeMs: 3_600_000, ...extra },
    miners: 1,
  });
}

const genesis = header(0, GENESIS_TIME);
// The network starts long after the genesis time the parameters fix; ASERT anchors at height 1.
const ANCHOR_TIME = GENESIS_TIME + 90 * 86_400_000;
const anchor = header(1, ANCHOR_TIME);

describe('cs60: the original project rule', () => {
  it('asks 3 + cube-root-of-height leading zeros, exact at perfect cubes', () => {
    const heights = [1, 7, 8, 26, 27, 63, 64, 124, 125];
    expect(heights.map(cs60Zeros)).toEqual([4, 4, 5, 5, 6, 6, 7, 7, 8]);
  });

  it('computes the exact integer cube root across the u32 height range', () => {
    const samples = [0, 1, 2, 999, 1000, 1001, 2 ** 31, 2 ** 32 - 1, 1625 ** 3, 1625 ** 3 - 1];
    for (const n of samples) {
      const x = BigInt(icbrt(n));
      expect(x ** 3n <= BigInt(n) && (x + 1n) ** 3n > BigInt(n)).toBe(true);
    }
  });

  it('gives the child of a parent at height h the target for height h + 1', () => {
    const cs60 = engine('cs60');
    expect(cs60.nextTarget(header(63, GENESIS_TIME), anchor)).toBe('0000000' + 'f'.repeat(57));
    expect(cs60.nextTarget(header(62, GENESIS_TIME), anchor)).toBe('000000' + 'f'.repeat(58));
    expect(cs60.nextTarget(genesis, undefined)).toBe('0000' + 'f'.repeat(60));
  });
});

describe('asert: absolutely scheduled exponential retargeting', () => {
  const p = { initialTarget: INITIAL, blockTimeMs: 10_000, halfLifeMs: 3_600_000 };
  const initial = targetToBigInt(INITIAL);
  const onSchedule = (height: number) => ANCHOR_TIME + (height - 1) * p.blockTimeMs;
  const next = (height: number, drift: number) => targetToBigInt(asertTarget(header(height, onSchedule(height) + drift), anchor, p));

  it('keeps the initial target for the child of genesis, of the anchor and of any on-schedule parent', () => {
    const asert = engine('asert');
    expect(asert.nextTarget(genesis, undefined)).toBe(INITIAL);
    expect(asert.nextTarget(anchor, anchor)).toBe(INITIAL);
    for (const h of [2, 10, 5_000]) expect(asert.nextTarget(header(h, onSchedule(h)), anchor)).toBe(INITIAL);
  });

  it('halves the target one half-life ahead of schedule and doubles it one half-life behind', () => {
    expect(next(100, -p.halfLifeMs)).toBe(initial / 2n);
    expect(next(100, p.halfLifeMs)).toBe(initial * 2n);
    expect(next(100, 3 * p.halfLifeMs)).toBe(initial * 8n);
    expect(next(100, 16 * p.halfLifeMs)).toBe(initial * 65536n);
  });

  it('moves by 2^(drift / half-life) in between, and only with the drift', () => {
    // The cubic approximation of 2^x is within 0.013% of it (aserti3-2d's specification).
    expect(Number((next(7, p.halfLifeMs / 2) * 1_000_000n) / initial) / 1_000_000).toBeCloseTo(Math.SQRT2, 3);
    let previous = 0n;
    for (let drift = -p.halfLifeMs; drift <= p.halfLifeMs; drift += 60_000) {
      const t = next(50, drift);
      expect(t >= previous).toBe(true);
      previous = t;
    }
    expect(next(50, 12_345)).toBe(next(9_000, 12_345));
  });

  it('is deterministic and clamps to [1, the chain limit of 16 half-lives above the initial target]', () => {
    const parent = header(1234, onSchedule(1234) + 987_654);
    expect(asertTarget(parent, anchor, p)).toBe(asertTarget({ ...parent }, { ...anchor }, { ...p }));
    const limit = BigInt('0x' + INITIAL) << 16n;
    expect(next(10, 300 * p.halfLifeMs)).toBe(limit > MAX_TARGET ? MAX_TARGET : limit);
    expect(next(10, 20 * p.halfLifeMs)).toBe(limit);
    expect(next(10, 15 * p.halfLifeMs)).toBeLessThan(limit);
    expect(next(10, -300 * p.halfLifeMs)).toBe(1n);
    expect(engine('asert').maxTarget).toBe(limit.toString(16).padStart(64, '0'));
  });
});

describe('fixed', () => {
  it('always asks the initial target', () => {
    const fixed = engine('fixed');
    expect(fixed.nextTarget(header(999, 0), anchor)).toBe(INITIAL);
    expect(fixed.nextTarget(genesis, undefined)).toBe(INITIAL);
    expect(fixed.policy).toBe('fixed');
  });
});

describe('work and seal checks', () => {
  it('counts the expected hashes: 1 for the widest target, x16 per extra hex zero', () => {
    expect(workOf('f'.repeat(64))).toBe(1n);
    for (let zeros = 1; zeros <= 20; zeros++) expect(workOf(leadingZerosTarget(zeros))).toBe(16n ** BigInt(zeros));
    expect(workOf('0'.repeat(64))).toBe(MAX_TARGET + 1n);
  });

  it('accepts a hash at or below the target and nothing else', () => {
    const pow = engine('fixed');
    const h = header(1, GENESIS_TIME, '00ff' + '0'.repeat(60));
    expect(pow.checkSeal(h, '00ff' + '0'.repeat(60))).toBe(true);
    expect(pow.checkSeal(h, '00fe' + 'f'.repeat(60))).toBe(true);
    expect(pow.checkSeal(h, '00ff' + '0'.repeat(59) + '1')).toBe(false);
    expect(pow.checkSeal(h, '00FE' + 'f'.repeat(60))).toBe(false);
    expect(pow.checkSeal(h, '00fe')).toBe(false);
  });

  it('refuses unusable parameters with a config error', () => {
    expect(() => engine('asert', { halfLifeMs: 0 })).toThrow(expect.objectContaining({ code: 'CONSENSUS_PARAMS_INVALID' }));
    expect(() => engine('fixed', { initialTarget: 'xyz' })).toThrow(expect.objectContaining({ code: 'CONSENSUS_PARAMS_INVALID' }));
    expect(() => engine('nope' as 'fixed')).toThrow(expect.objectContaining({ code: 'CONSENSUS_POLICY_UNKNOWN' }));
  });
});
