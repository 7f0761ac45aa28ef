import { defineAppFault } from '../../../kernel/index.js';
import { secretCall } from '../calls.js';
import { decodeScalar, encodeScalar } from '../crypto/group.js';
import type { SecretElectionView } from '../secret/queries.js';
import type { TrusteeDecryptPayload } from '../secret/schemas.js';
import { decryptionStep } from '../secret/trustee.js';
import { ADVANCE_MS, OwnSecretElection, SEND_MS, toEveryPeer, type FaultTrustee } from './own-secret-election.js';

/**
 * Trustee `t`'s decryption with one share wrong, one of two ways: its proof's response moved by
 * one (a proof that cannot verify), or another trustee's share under `t`'s proof (a valid point
 * for the wrong key: what a trustee posting someone else's work would send).
 */
function wrongShares(
  random: () => number,
  chainId: string,
  view: SecretElectionView,
  t: FaultTrustee,
  other: FaultTrustee,
): TrusteeDecryptPayload {
  const payload = decryptionStep(chainId, view, t.identity);
  const i = Math.floor(random() * payload.shares.length);
  const share = payload.shares[i]!;
  if (random() < 0.5) share.proof = { ...share.proof, s: encodeScalar(decodeScalar(share.proof.s) + 1n) };
  else share.d = decryptionStep(chainId, view, other.identity).shares[i]!.d;
  return payload;
}

export const wrongShare = defineAppFault<undefined>({
  name: 'wrong-share',
  summary:
    "Opens and runs a secret election of its own (3 trustees it holds, threshold 2), casts one ballot and closes it, then every 3 s sends every peer a trustee's decryption with one share wrong: a broken proof, or another trustee's share.",
  honestReaction:
    "Checks every share's proof against that trustee's verification key and refuses the decryption (DECRYPT_BAD_SHARE, 2 points: an app rule, so no ban); no wrong share reaches the result.",
  codes: ['DECRYPT_BAD_SHARE'],
  bans: false,
  install(ctx) {
    const own = new OwnSecretElection(ctx, 'wrong-share');
    let view: SecretElectionView | undefined;
    ctx.interval(ADVANCE_MS, async () => {
      view = await own.advance();
      if (view?.phase !== 'voting') return;
      await own.castHonest(view);
      if (view.turnout > 0) await own.close();
    });
    ctx.interval(SEND_MS, () => {
      if (view?.phase !== 'voting' || !own.closed()) return;
      const j = view.qualified[Math.floor(ctx.random() * view.qualified.length)]!;
      const others = view.qualified.filter((q) => q !== j);
      const k = others[Math.floor(ctx.random() * others.length)]!;
      const payload = wrongShares(ctx.random, ctx.chainId, view, own.trustees[j - 1]!, own.trustees[k - 1]!);
      toEveryPeer(ctx, [own.trustees[j - 1]!.key.sign(secretCall({ type: 'trustee.decrypt', payload }))]);
    });
  },
});
