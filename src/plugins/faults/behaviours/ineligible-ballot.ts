import { castBallot, openElection } from '../../../apps/voting/index.js';
import { noArg } from '../args.js';
import { FaultKey } from '../craft.js';
import type { FaultBehaviour } from '../types.js';
import { choiceFor, openElections, runsVoting } from './elections.js';
import { ACT_MS } from './forged-blocks.js';

/**
 * Ballots from keys that are not on an election's voter list. With no such election on the
 * chain yet, the node opens one itself (listing only its own key) and waits for it to be mined.
 */
export const ineligibleBallot: FaultBehaviour<undefined> = {
  name: 'ineligible-ballot',
  group: 'tx',
  summary:
    'Casts ballots from fresh keys in an election with a voter list they are not on (opening such an election itself when the chain has none).',
  honestReaction: 'Checks the voter list and refuses each ballot (BALLOT_NOT_ELIGIBLE, 2 points: an app rule, so no ban); none is counted.',
  codes: ['BALLOT_NOT_ELIGIBLE'],
  bans: false,
  needs: ['network'],
  parse: noArg('ineligible-ballot'),
  install(ctx) {
    if (!runsVoting(ctx.chain)) return void ctx.log.warn({ fault: 'ineligible-ballot' }, 'the chain runs no voting app: nothing to do');
    const owner = new FaultKey();
    let opened = false;
    ctx.everyPeer(ACT_MS, async (peer) => {
      const election = openElections(ctx.chain, (e) => e.eligibility === 'list')[0];
      if (!election) {
        if (opened) return;
        opened = true;
        const id = `fault-list-${Math.floor(ctx.random() * 1e9)}`;
        const open = openElection({ id, title: 'Voter list (fault)', choices: ['yes', 'no'], eligibility: { voters: [owner.publicKey] } });
        await ctx.services.mempool.add(owner.sign(ctx.chain.chainId, open));
        return;
      }
      const outsider = new FaultKey();
      ctx.send(peer, { t: 'txs', txs: [outsider.sign(ctx.chain.chainId, castBallot(election.id, choiceFor(election, 'ineligible')))] });
    });
  },
};
