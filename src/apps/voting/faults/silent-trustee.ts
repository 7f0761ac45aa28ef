import { defineAppFault } from '../../../kernel/index.js';
import { ADVANCE_MS, OwnSecretElection } from './own-secret-election.js';

/** A trustee that never decrypts: a threshold election must not need it. */
export const silentTrustee = defineAppFault<undefined>({
  name: 'silent-trustee',
  summary:
    'Opens and runs a secret election of its own (3 trustees it holds, threshold 2), casts one ballot and closes it; then only two of its trustees decrypt, and the third (picked by the seed) never does.',
  honestReaction:
    'Nothing is refused: with 2 valid shares of 3 the result is decrypted and becomes state (secretElection: result, from the 2 trustees who decrypted); the silent trustee is never needed.',
  codes: [],
  bans: false,
  install(ctx) {
    const own = new OwnSecretElection(ctx, 'silent');
    const silent = 1 + Math.floor(ctx.random() * own.trustees.length);
    ctx.interval(ADVANCE_MS, async () => {
      const view = await own.advance();
      if (view?.phase !== 'voting') return;
      await own.castHonest(view);
      if (view.turnout === 0) return;
      await own.close();
      if (!own.closed() || view.result) return;
      for (const j of view.qualified.filter((q) => q !== silent).slice(0, view.threshold)) await own.decrypt(view, j);
    });
  },
});
