import { defineAppFault, type AppFaultContext } from '../../../kernel/index.js';
import { COUNT_PURPOSE, encodeBallot, encryptBallot } from '../crypto/ballot.js';
import { sumCiphertexts } from '../crypto/elgamal.js';
import { add, decodePoint } from '../crypto/group.js';
import { proveOneOf } from '../crypto/proofs/one-of.js';
import { contextTranscript } from '../crypto/transcript.js';
import { secretCall } from '../calls.js';
import type { SecretElectionView } from '../secret/queries.js';
import type { BallotEncryptedPayload } from '../secret/schemas.js';
import { castBadBallots, parseElectionArg } from './secret-ballot-faults.js';

const range = (min: number, max: number) => Array.from({ length: max - min + 1 }, (_, i) => min + i);

/** `count` distinct choice indices, picked by the seeded source. */
function pick(random: () => number, choices: number, count: number): number[] {
  const left = Array.from({ length: choices }, (_, i) => i);
  return Array.from({ length: count }, () => left.splice(Math.floor(random() * left.length), 1)[0]!);
}

/**
 * One selection more than the election allows, each selection honestly proved 0 or 1, and a
 * count proof forged one of two ways: proved for a looser rule (min … max+1), or proved as if
 * the sum held `max`, with the true randomness (its real branch cannot verify).
 */
export function overvoteBallot(ctx: AppFaultContext, view: SecretElectionView, voter: string): BallotEncryptedPayload {
  const y = decodePoint(view.key, 'election key');
  const choices = view.choices.length;
  const vector = new Array<number>(choices).fill(0);
  for (const i of pick(ctx.random, choices, view.max + 1)) vector[i] = 1;
  const proofCtx = { chainId: ctx.chainId, electionId: view.election, signer: voter };
  const { ballot, secrets } = encryptBallot(proofCtx, y, { choices, min: view.min, max: view.max + 1 }, vector);
  if (ctx.random() < 0.5) {
    const total = sumCiphertexts(ballot.selections.map((s) => s.ct));
    const r = secrets.randomness.reduce(add, 0n);
    ballot.count = proveOneOf(contextTranscript(COUNT_PURPOSE, proofCtx), y, total, view.max, r, range(view.min, view.max));
  }
  return { election: view.election, ballot: encodeBallot(ballot) };
}

export const forgedOvervote = defineAppFault<string | undefined>({
  name: 'forged-overvote',
  arg: 'ELECTION',
  summary:
    'Every 3 s a fresh voter sends every peer an encrypted ballot that selects one choice more than the secret election allows, with a forged count proof (default: the first open secret election with its key and a choice to spare; with none, it opens and runs one of its own).',
  honestReaction:
    'Verifies the proof that the selections add up to an allowed number and refuses the ballot (BALLOT_BAD_PROOF, 2 points: an app rule, so no ban); the sums never see it.',
  codes: ['BALLOT_BAD_PROOF'],
  bans: false,
  parse: parseElectionArg,
  install(ctx, electionId) {
    castBadBallots(ctx, {
      electionId,
      label: 'overvote',
      fits: (v) => v.max < v.choices.length,
      forge: (target) => {
        const voter = ctx.newKey();
        return [voter.sign(secretCall({ type: 'ballot.encrypted', payload: overvoteBallot(ctx, target, voter.publicKey) }))];
      },
    });
  },
});
