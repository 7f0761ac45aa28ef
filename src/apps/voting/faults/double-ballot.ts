import { defineAppFault } from '../../../kernel/index.js';
import { castBallot } from '../calls.js';
import { openElections } from './elections.js';

const ROUND_MS = 3000;

/** One voter, two different ballots in one election, raced to different peers. */
export const doubleBallot = defineAppFault<string | undefined>({
  name: 'double-ballot',
  arg: 'ELECTION',
  summary:
    'Every 3 s a fresh voter key casts two different ballots in one election (default: the first open one) and sends both to every peer, in opposite orders to alternate peers.',
  honestReaction:
    'Exactly one of the two is counted everywhere; the other is refused wherever it arrives second (BALLOT_DUPLICATE, 2 points: an honest relay can lose that race too, so no ban).',
  codes: ['BALLOT_DUPLICATE'],
  bans: false,
  parse: (arg) => arg,
  install(ctx, electionId) {
    ctx.interval(ROUND_MS, () => {
      const peers = ctx.peers();
      const election = openElections(ctx, (e) => !e.secret && (electionId === undefined || e.id === electionId))[0];
      if (!peers.length || !election) return;
      const voter = ctx.newKey();
      const [a, b] = election.writeIn ? ['fault-a', 'fault-b'] : [election.choices[0]!, election.choices[1] ?? election.choices[0]!];
      const first = voter.sign(castBallot(election.id, a));
      const second = voter.sign(castBallot(election.id, b));
      // Each peer gets both, half of them in the other order: each keeps the one it saw first.
      peers.forEach((peer, i) => ctx.sendTxs(peer, i % 2 ? [second, first] : [first, second]));
    });
  },
});
