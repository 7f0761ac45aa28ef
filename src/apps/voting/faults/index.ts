import type { AppFault } from '../../../kernel/index.js';
import { badDealer } from './bad-dealer.js';
import { copiedBallot } from './copied-ballot.js';
import { doubleBallot } from './double-ballot.js';
import { earlyShare } from './early-share.js';
import { forgedOvervote } from './forged-overvote.js';
import { ineligibleBallot } from './ineligible-ballot.js';
import { malformedPoint } from './malformed-point.js';
import { replayedBallot } from './replayed-ballot.js';
import { silentTrustee } from './silent-trustee.js';
import { wrongShare } from './wrong-share.js';

/** The voting app's faults (`--fault NAME`, run by the faults plugin), in the order `cairn faults list` shows them. */
export const votingFaults: readonly AppFault[] = [
  doubleBallot,
  replayedBallot,
  ineligibleBallot,
  // Secret elections: bad ballots in any open one, then a trustee's misdeeds in an election the fault runs itself.
  forgedOvervote,
  copiedBallot,
  malformedPoint,
  badDealer,
  earlyShare,
  wrongShare,
  silentTrustee,
];
