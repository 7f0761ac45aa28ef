import { castBallot } from '../../../apps/voting/index.js';
import { FaultKey } from '../craft.js';
import type { FaultBehaviour } from '../types.js';
import { openElections, runsVoting } from './elections.js';

const ROUND_MS = 3000;

/** One voter, two different ballots in one election, raced to different peers. */
export const doubleBallot: FaultBehaviour<string | undefined> = {
  name: 'double-ballot',
  group: 'tx',
  arg: 'ELECTION',
  summary:
    'Every 3 s a fresh voter key casts two different ballots in one election (default: the first open one) and sends both to every peer, in opposite orders to alternate peers.',
  honestReaction:
    'Exactly one of the two is counted everywhere; the other is refused wherever it arrives second (BALLOT_DUPLICATE, 2 points: an honest relay can lose that race too, so no ban).',
  codes: ['BALLOT_DUPLICATE'],
  bans: false,
  needs: ['network'],
  parse: (arg) => arg,
  install(ctx, electionId) {
    if (!runsVoting(ctx.chain)) return void ctx.log.warn({ fault: 'double-ballot' }, 'the chain runs no voting app: nothing to do');
    ctx.interval(ROUND_MS, () => {
      const peers = ctx.peers();
      const election = openElections(ctx.chain, (e) => electionId === undefined || e.id === electionId)[0];
      if (!peers.length || !election) return;
      const voter = new FaultKey();
      const [a, b] = election.writeIn ? ['fault-a', 'fault-b'] : [election.choices[0]!, election.choices[1] ?? election.choices[0]!];
      const first = voter.sign(ctx.chain.chainId, castBallot(election.id, a));
      const second = voter.sign(ctx.chain.chainId, castBallot(election.id, b));
      // Each peer gets both, half of them in the other order: each keeps the one it saw first.
      peers.forEach((peer, i) => ctx.send(peer, { t: 'txs', txs: i % 2 ? [second, first] : [first, second] }));
    });
  },
};
