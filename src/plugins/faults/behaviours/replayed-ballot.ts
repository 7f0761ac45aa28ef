import { castBallot, VOTING_APP_ID } from '../../../apps/voting/index.js';
import type { Tx } from '../../../kernel/index.js';
import { noArg } from '../args.js';
import { FaultKey, knownTxs } from '../craft.js';
import type { FaultBehaviour } from '../types.js';
import { choiceFor, openElections, runsVoting } from './elections.js';
import { ACT_MS } from './forged-blocks.js';

/** The chain id with its last digit changed: another chain, as far as a signature can tell. */
const otherChain = (chainId: string) => chainId.slice(0, -1) + (chainId.endsWith('0') ? '1' : '0');

export const replayedBallot: FaultBehaviour<undefined> = {
  name: 'replayed-ballot',
  group: 'tx',
  summary:
    'Replays ballots: one signed for another chain, and real ballots seen on this chain moved to another election (their signatures left as they were).',
  honestReaction:
    'The signature covers the chain id and the whole payload, so both are refused (TX_BAD_SIGNATURE, 20 points); bans after five.',
  codes: ['TX_BAD_SIGNATURE'],
  bans: true,
  needs: ['network'],
  parse: noArg('replayed-ballot'),
  install(ctx) {
    if (!runsVoting(ctx.chain)) return void ctx.log.warn({ fault: 'replayed-ballot' }, 'the chain runs no voting app: nothing to do');
    const voter = new FaultKey();
    ctx.everyPeer(ACT_MS, async (peer) => {
      const elections = openElections(ctx.chain);
      const txs: Tx[] = [];
      const target = elections[0];
      if (target) txs.push(voter.sign(otherChain(ctx.chain.chainId), castBallot(target.id, choiceFor(target, 'replayed'))));
      const seen = (await knownTxs(ctx, 20)).filter((tx) => tx.app === VOTING_APP_ID && tx.type === 'ballot.cast');
      for (const tx of seen.slice(0, 2)) {
        const payload = tx.payload as { election: string; choice: string };
        const elsewhere = elections.find((e) => e.id !== payload.election)?.id ?? `${payload.election.slice(0, 50)}-x`;
        txs.push({ ...tx, payload: { ...payload, election: elsewhere } });
      }
      if (txs.length) ctx.send(peer, { t: 'txs', txs });
    });
  },
};
