import { defineAppFault } from '../../../kernel/index.js';
import { castBallot, openElection } from '../calls.js';
import { choiceFor, openElections } from './elections.js';

/**
 * Ballots from keys that are not on an election's voter list. With no such election on the
 * chain yet, the node opens one itself (listing only its own key) and waits for it to be mined.
 */
export const ineligibleBallot = defineAppFault<undefined>({
  name: 'ineligible-ballot',
  summary:
    'Casts ballots from fresh keys in an election with a voter list they are not on (opening such an election itself when the chain has none).',
  honestReaction: 'Checks the voter list and refuses each ballot (BALLOT_NOT_ELIGIBLE, 2 points: an app rule, so no ban); none is counted.',
  codes: ['BALLOT_NOT_ELIGIBLE'],
  bans: false,
  install(ctx) {
    const owner = ctx.newKey();
    let opened = false;
    ctx.everyPeer(async (peer) => {
      const election = openElections(ctx, (e) => !e.secret && e.eligibility === 'list')[0];
      if (!election) {
        if (opened) return;
        opened = true;
        const id = `fault-list-${Math.floor(ctx.random() * 1e9)}`;
        const open = openElection({ id, title: 'Voter list (fault)', choices: ['yes', 'no'], eligibility: { voters: [owner.publicKey] } });
        await ctx.submit(owner.sign(open));
        return;
      }
      const outsider = ctx.newKey();
      ctx.sendTxs(peer, [outsider.sign(castBallot(election.id, choiceFor(election, 'ineligible')))]);
    });
  },
});
