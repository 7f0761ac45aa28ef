import fc from 'fast-check';
import { ORDER, randomScalar, Transcript, type ProofContext } from '../../../../src/apps/voting/crypto/index.js';

export const CTX: ProofContext = { chainId: 'c'.repeat(64), electionId: 'budget', signer: 'a'.repeat(64) };

/** A nonzero scalar from fast-check, so a failing case replays with its seed. */
export const scalarArb = fc.bigInt({ min: 1n, max: ORDER - 1n });

/**
 * The scalars of a test vector, reproducible by any implementation: the i-th (from 0) is the
 * transcript challenge of purpose `test-random` over the items (seed as decimal text, i).
 */
export function seededRandom(seed: bigint): () => bigint {
  let i = 0;
  return () => new Transcript('test-random').text(seed.toString()).int(i++).challenge();
}

export { randomScalar };

/** Each context that differs from CTX in one field: a proof must not verify under any of them. */
export const OTHER_CONTEXTS: Array<[string, ProofContext]> = [
  ['another chain', { ...CTX, chainId: 'd'.repeat(64) }],
  ['another election', { ...CTX, electionId: 'budget2' }],
  ['another signer', { ...CTX, signer: 'b'.repeat(64) }],
];
