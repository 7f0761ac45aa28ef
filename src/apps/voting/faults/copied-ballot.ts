import { defineAppFault, type Tx } from '../../../kernel/index.js';
import { VOTING_APP_ID } from '../app-id.js';
import { secretCall } from '../calls.js';
import type { BallotEncryptedPayload } from '../secret/schemas.js';
import { honestBallot } from './own-secret-election.js';
import { castBadBallots, parseElectionArg, votingSecretElections } from './secret-ballot-faults.js';

/**
 * The Helios ballot-copying attack: another voter's encrypted ballot, ciphertexts and proofs
 * untouched, cast again under a fresh key, to vote as that voter did without knowing how.
 */
export const copiedBallot = defineAppFault<string | undefined>({
  name: 'copied-ballot',
  arg: 'ELECTION',
  summary:
    "Every 3 s takes another voter's encrypted ballot the node has seen (pending or counted) in an open secret election and sends it to every peer re-signed, payload unchanged, under a fresh key (with none seen, it casts a valid ballot of its own to copy, in an election of its own if need be).",
  honestReaction:
    "Every proof of a ballot binds the voter's key, so the copy's proofs do not verify for its signer: refused (BALLOT_BAD_PROOF, 2 points: an app rule, so no ban); the voter's own ballot counts once.",
  codes: ['BALLOT_BAD_PROOF'],
  bans: false,
  parse: parseElectionArg,
  install(ctx, electionId) {
    const own = new Set<string>();
    castBadBallots(ctx, {
      electionId,
      label: 'copied',
      async forge(target) {
        const open = new Set(votingSecretElections(ctx).map((v) => v.election));
        const originals = (await ctx.knownTxs(50)).filter(
          (tx) =>
            tx.app === VOTING_APP_ID &&
            tx.type === 'ballot.encrypted' &&
            open.has((tx.payload as BallotEncryptedPayload).election) &&
            (electionId === undefined || (tx.payload as BallotEncryptedPayload).election === electionId),
        );
        // Other voters' ballots first; the node's own bait only while it has seen no other.
        const others = originals.filter((tx) => !own.has(tx.from));
        const pool = others.length ? others : originals;
        const original = pool[Math.floor(ctx.random() * pool.length)];
        if (!original) {
          const bait = honestBallot(ctx, target);
          own.add(bait.from);
          await ctx.submit(bait);
          return [];
        }
        const thief = ctx.newKey();
        return [thief.sign(secretCall({ type: 'ballot.encrypted', payload: original.payload })) satisfies Tx];
      },
    });
  },
});
