import { defineAppFault } from '../../../kernel/index.js';
import { secretCall } from '../calls.js';
import type { SecretElectionView } from '../secret/queries.js';
import { decryptionStep } from '../secret/trustee.js';
import { ADVANCE_MS, OwnSecretElection, SEND_MS, toEveryPeer } from './own-secret-election.js';

/**
 * A trustee that decrypts before the close: with the sums of an open election, k such shares
 * would publish a partial tally while ballots still come in.
 */
export const earlyShare = defineAppFault<undefined>({
  name: 'early-share',
  summary:
    'Opens and runs a secret election of its own (3 trustees it holds, threshold 2), casts one ballot, keeps it open, and every 3 s sends every peer a decryption share from one of its trustees (its own mempool would refuse it).',
  honestReaction:
    'Takes no decryption share while the election is open, so no partial tally is published (DECRYPT_TOO_EARLY, 2 points: an app rule, so no ban); the election stays sealed.',
  codes: ['DECRYPT_TOO_EARLY'],
  bans: false,
  install(ctx) {
    const own = new OwnSecretElection(ctx, 'early');
    let view: SecretElectionView | undefined;
    ctx.interval(ADVANCE_MS, async () => {
      view = await own.advance();
      if (view?.phase === 'voting') await own.castHonest(view);
    });
    ctx.interval(SEND_MS, () => {
      if (view?.phase !== 'voting') return;
      const t = own.trustees[view.qualified[Math.floor(ctx.random() * view.qualified.length)]! - 1]!;
      toEveryPeer(ctx, [t.key.sign(secretCall({ type: 'trustee.decrypt', payload: decryptionStep(ctx.chainId, view, t.identity) }))]);
    });
  },
});
