import { defineAppFault, type Tx } from '../../../kernel/index.js';
import { VOTING_APP_ID } from '../app-id.js';
import { castBallot } from '../calls.js';
import { choiceFor, openElections } from './elections.js';

/** The chain id with its last digit changed: another chain, as far as a signature can tell. */
const otherChain = (chainId: string) => chainId.slice(0, -1) + (chainId.endsWith('0') ? '1' : '0');

export const replayedBallot = defineAppFault<undefined>({
  name: 'replayed-ballot',
  summary:
    'Replays ballots: one signed for another chain, and real ballots seen on this chain moved to another election (their signatures left as they were).',
  honestReaction:
    'The signature covers the chain id and the whole payload, so both are refused (TX_BAD_SIGNATURE, 20 points); bans after five.',
  codes: ['TX_BAD_SIGNATURE'],
  bans: true,
  install(ctx) {
    const voter = ctx.newKey();
    ctx.everyPeer(async (peer) => {
      const elections = openElections(ctx, (e) => !e.secret);
      const txs: Tx[] = [];
      const target = elections[0];
      if (target) txs.push(voter.sign(castBallot(target.id, choiceFor(target, 'replayed')), otherChain(ctx.chainId)));
      const seen = (await ctx.knownTxs(20)).filter((tx) => tx.app === VOTING_APP_ID && tx.type === 'ballot.cast');
      for (const tx of seen.slice(0, 2)) {
        const payload = tx.payload as { election: string; choice: string };
        const elsewhere = elections.find((e) => e.id !== payload.election)?.id ?? `${payload.election.slice(0, 50)}-x`;
        txs.push({ ...tx, payload: { ...payload, election: elsewhere } });
      }
      if (txs.length) ctx.sendTxs(peer, txs);
    });
  },
});
