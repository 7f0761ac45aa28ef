import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { findFault } from '../../../src/plugins/faults/index.js';
import { extend, Signer } from '../../support/chain-fixture.js';
import { waitForAgreement } from '../../support/memory-net.js';
import { honestReady, isBanned, rejectionsFrom, startFaultNet, type FaultNet } from '../../support/fault-net.js';
import { waitFor } from '../../support/wait.js';

/**
 * Each faulty node commits one forgery against two honest nodes. Every honest node must count
 * it under the fault's rejection code, ban the forger where the penalty table says so, and keep
 * agreeing with the other honest node.
 */
describe('faults: forged chains, blocks, transactions and messages', () => {
  let net: FaultNet | undefined;
  afterEach(async () => {
    await net?.stop();
    net = undefined;
  });

  const groups: Record<string, string[]> = {
    'chains and blocks': [
      'bad-pow',
      'broken-link',
      'bad-target',
      'bad-height',
      'bad-tx-root',
      'duplicate-tx',
      'future-time',
      'invalid-tx-block',
    ],
    transactions: ['malformed-tx', 'forged-signature', 'tx-flood'],
    messages: ['random-bytes', 'truncated', 'oversized', 'unknown-type', 'wrong-chain'],
  };

  for (const [group, names] of Object.entries(groups)) {
    it(`${group}: each honest node counts the fault under its code, bans where due, and the honest nodes agree`, async () => {
      net = await startFaultNet({ faulty: names.map((n) => [n]) });
      const seed = net.seed;
      onTestFailed(() => console.error(`fault network seed: ${seed} (replay with CAIRN_SEED=${seed})`));
      const [a, b] = net.honest as [NonNullable<FaultNet['honest'][0]>, NonNullable<FaultNet['honest'][0]>];
      await honestReady(net);
      await extend(a, 3);
      // A transaction for the faults that copy real ones (forged-signature, tx-flood).
      await a.mempool.add(new Signer(a.chainId).claim('honest'));
      await waitForAgreement(net.honest);

      const detected = (name: string, i: number) => {
        const codes = findFault(name)!.codes;
        return net!.honest.every((h) => codes.some((code) => (rejectionsFrom(h, net!.keyOf(net!.faulty[i]!))[code] ?? 0) > 0));
      };
      await waitFor(`every fault of '${group}' detected by both honest nodes`, () => names.every(detected), 20_000).catch((err: Error) => {
        const seen = names.map(
          (n, i) => `${n}: ${net!.honest.map((h) => JSON.stringify(rejectionsFrom(h, net!.keyOf(net!.faulty[i]!)))).join(' / ')}`,
        );
        throw new Error(`${err.message}\n${seen.join('\n')}`);
      });
      for (const [i, name] of names.entries()) {
        const key = net.keyOf(net.faulty[i]!);
        const fault = findFault(name)!;
        if (fault.bans) await waitFor(`${name} banned`, () => net!.honest.every((h) => isBanned(h, key)), 10_000);
        else expect(net.honest.some((h) => isBanned(h, key))).toBe(false);
      }
      // Still one network: a new honest block reaches the other honest node.
      await extend(b, 1);
      await waitForAgreement(net.honest);
      expect(a.chain.tip().height).toBe(4);
      for (const h of net.honest) expect(h.mempool.size).toBe(1);
    }, 40_000);
  }
});
