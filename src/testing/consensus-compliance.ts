import assert from 'node:assert/strict';
import { BLOCK_VERSION, headerHash, isHash, ZERO_HASH, type BlockHeader, type Consensus } from '../kernel/index.js';
import { sleep, type ComplianceTestApi } from './compliance-api.js';

export interface ConsensusUnderTest {
  /** A fresh engine, not yet started. */
  consensus: Consensus;
  /** A target it seals in well under a second, and that not every hash meets. */
  easyTarget: string;
  /** The target a child of genesis and the anchor's child must get, when the policy fixes one (absolute schedules do). */
  initialTarget?: string;
  /** The block time of the chain, to build parents that come on time, early and late (default 1 s). */
  blockTimeMs?: number;
  dispose?(): Promise<void>;
}

const EASIEST = 'f'.repeat(64);
/** Only the all-zero hash meets it: a seal for it never ends unless aborted. */
const IMPOSSIBLE = '0'.repeat(64);
const SEAL_MS = 30_000;
/** The contract says 50 ms; a loaded test machine is given more before it counts as a failure. */
const ABORT_SLACK_MS = 1_000;

function header(fields: Partial<BlockHeader> = {}): BlockHeader {
  return {
    version: BLOCK_VERSION,
    height: 1,
    prev: 'ab'.repeat(32),
    txRoot: ZERO_HASH,
    time: Date.now(),
    target: EASIEST,
    nonce: 0,
    ...fields,
  };
}

const big = (target: string) => BigInt(`0x${target}`);

/**
 * The contract every Consensus plugin must keep: what it seals it accepts, what is tampered
 * with it refuses, targets are well-formed and never easier than its easiest, work is
 * 2^256 / (target + 1), and a seal can be aborted.
 */
export function describeConsensusCompliance(test: ComplianceTestApi, name: string, makeConsensus: () => Promise<ConsensusUnderTest>): void {
  const { describe, it } = test;

  const withConsensus = (body: (subject: ConsensusUnderTest) => Promise<void>) => async () => {
    const subject = await makeConsensus();
    try {
      assert.ok(
        isHash(subject.easyTarget) && subject.easyTarget !== EASIEST,
        'the factory must give an easy target that not every hash meets',
      );
      await subject.consensus.start?.();
      await body(subject);
    } finally {
      await subject.consensus.stop?.();
      await subject.dispose?.();
    }
  };

  const sealed = async (consensus: Consensus, target: string): Promise<BlockHeader> => {
    const result = await consensus.seal(header({ target }), new AbortController().signal);
    assert.ok(result, 'seal resolved null without an abort');
    return result;
  };

  describe(`${name} keeps the Consensus contract`, () => {
    it(
      'names its policy, and its easiest target is 64 lowercase hex',
      withConsensus(async ({ consensus, easyTarget }) => {
        assert.equal(typeof consensus.policy, 'string');
        assert.ok(consensus.policy.length > 0, 'the policy has no name');
        assert.ok(isHash(consensus.maxTarget), `maxTarget ${consensus.maxTarget}`);
        assert.ok(big(easyTarget) <= big(consensus.maxTarget), 'the easy target is easier than maxTarget');
      }),
    );

    it(
      'seals a header so that the same consensus accepts it, changing nothing but the nonce',
      withConsensus(async ({ consensus, easyTarget }) => {
        const start = header({ target: easyTarget, nonce: 0 });
        const result = await consensus.seal(start, new AbortController().signal);
        assert.ok(result, 'seal resolved null without an abort');
        const { nonce, ...rest } = result;
        const { nonce: _from, ...original } = start;
        assert.deepEqual(rest, original);
        assert.ok(Number.isSafeInteger(nonce) && nonce >= 0, `nonce ${nonce}`);
        const hash = headerHash(result);
        assert.ok(hash <= easyTarget, 'the sealed header does not meet its target');
        assert.equal(consensus.checkSeal(result, hash), true);
      }),
      SEAL_MS,
    );

    it(
      'refuses a tampered seal: another nonce, another field, or a claimed hash above the target',
      withConsensus(async ({ consensus, easyTarget }) => {
        const good = await sealed(consensus, easyTarget);
        const missing = (h: BlockHeader) => headerHash(h) > easyTarget;
        let otherNonce = { ...good, nonce: good.nonce + 1 };
        while (!missing(otherNonce)) otherNonce = { ...otherNonce, nonce: otherNonce.nonce + 1 };
        assert.equal(consensus.checkSeal(otherNonce, headerHash(otherNonce)), false, 'another nonce was accepted');
        let otherTime = { ...good, time: good.time + 1 };
        while (!missing(otherTime)) otherTime = { ...otherTime, time: otherTime.time + 1 };
        assert.equal(consensus.checkSeal(otherTime, headerHash(otherTime)), false, 'another time was accepted');
        assert.equal(consensus.checkSeal(good, EASIEST), false, 'a hash above the target was accepted');
      }),
      SEAL_MS,
    );

    it(
      'refuses a malformed hash or target',
      withConsensus(async ({ consensus, easyTarget }) => {
        const good = await sealed(consensus, easyTarget);
        const hash = headerHash(good);
        for (const bad of [hash.toUpperCase(), hash.slice(1), `${hash}0`, '', `0x${hash.slice(2)}`]) {
          if (bad === hash) continue;
          assert.equal(consensus.checkSeal(good, bad), false, `hash '${bad}' was accepted`);
        }
        for (const target of [easyTarget.toUpperCase(), easyTarget.slice(1), 'z'.repeat(64), '']) {
          if (target === easyTarget) continue;
          assert.equal(consensus.checkSeal({ ...good, target }, hash), false, `target '${target}' was accepted`);
        }
      }),
      SEAL_MS,
    );

    it(
      'gives a child of genesis, and the anchor’s child, the initial target',
      withConsensus(async ({ consensus, initialTarget, blockTimeMs = 1000 }) => {
        const genesis = header({ height: 0, prev: ZERO_HASH, time: 1_700_000_000_000 });
        const anchor = header({ height: 1, time: genesis.time + blockTimeMs });
        for (const [parent, anchorOf] of [
          [genesis, undefined],
          [anchor, anchor],
        ] as const) {
          const target = consensus.nextTarget(parent, anchorOf);
          assert.ok(isHash(target), `target ${target}`);
          assert.ok(big(target) <= big(consensus.maxTarget), 'a target easier than maxTarget');
          if (initialTarget !== undefined) assert.equal(target, initialTarget);
        }
      }),
    );

    it(
      'answers the same well-formed target for the same parent at every height, on time, early, late or absurd',
      withConsensus(async ({ consensus, blockTimeMs = 1000 }) => {
        const anchor = header({ height: 1, time: 1_700_000_000_000 });
        const gaps = [blockTimeMs, 1, blockTimeMs * 10, blockTimeMs * 1000, -blockTimeMs];
        for (const gap of gaps) {
          for (const height of [2, 3, 10, 100, 1000, 100_000]) {
            const parent = header({ height, time: anchor.time + gap * (height - 1) });
            const target = consensus.nextTarget(parent, anchor);
            assert.ok(isHash(target), `target ${target} at height ${height + 1}`);
            assert.ok(big(target) <= big(consensus.maxTarget), `a target easier than maxTarget at height ${height + 1}`);
            assert.equal(consensus.nextTarget({ ...parent }, { ...anchor }), target, `another target for the same parent at ${height + 1}`);
          }
        }
      }),
    );

    it(
      'counts work as 2^256 / (target + 1)',
      withConsensus(async ({ consensus, easyTarget }) => {
        const expected = (target: string) => 2n ** 256n / (big(target) + 1n);
        assert.equal(consensus.work(EASIEST), 1n);
        assert.equal(consensus.work('7' + 'f'.repeat(63)), 2n);
        assert.equal(consensus.work('00' + 'f'.repeat(62)), 256n);
        for (const target of [consensus.maxTarget, easyTarget, '0000' + '1'.repeat(60)])
          assert.equal(consensus.work(target), expected(target));
        assert.ok(consensus.work('0000' + 'f'.repeat(60)) > consensus.work('000' + 'f'.repeat(61)), 'a harder target is not more work');
      }),
    );

    it(
      'resolves null soon after an abort, and seals again afterwards',
      withConsensus(async ({ consensus, easyTarget }) => {
        const controller = new AbortController();
        const sealing = consensus.seal(header({ target: IMPOSSIBLE }), controller.signal);
        await sleep(200);
        const abortedAt = Date.now();
        controller.abort();
        assert.equal(await sealing, null);
        const tookMs = Date.now() - abortedAt;
        assert.ok(tookMs <= ABORT_SLACK_MS, `the seal resolved ${tookMs} ms after the abort`);
        const again = await sealed(consensus, easyTarget);
        assert.equal(consensus.checkSeal(again, headerHash(again)), true);
      }),
      SEAL_MS,
    );

    it(
      'resolves null for a signal aborted before the seal starts',
      withConsensus(async ({ consensus }) => {
        const controller = new AbortController();
        controller.abort();
        const startedAt = Date.now();
        assert.equal(await consensus.seal(header({ target: IMPOSSIBLE }), controller.signal), null);
        assert.ok(Date.now() - startedAt <= ABORT_SLACK_MS, 'an aborted seal ran on');
      }),
      SEAL_MS,
    );

    it(
      'stops idempotently, whether it sealed or not',
      withConsensus(async ({ consensus, easyTarget }) => {
        await Promise.all([consensus.stop?.(), consensus.stop?.()]);
        const other = await makeConsensus();
        try {
          await other.consensus.start?.();
          await sealed(other.consensus, easyTarget);
          await Promise.all([other.consensus.stop?.(), other.consensus.stop?.()]);
          await other.consensus.stop?.();
        } finally {
          await other.consensus.stop?.();
          await other.dispose?.();
        }
      }),
      SEAL_MS,
    );
  });
}
