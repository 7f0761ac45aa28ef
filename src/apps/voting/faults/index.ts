import type { AppFault } from '../../../kernel/index.js';
import { doubleBallot } from './double-ballot.js';
import { ineligibleBallot } from './ineligible-ballot.js';
import { replayedBallot } from './replayed-ballot.js';

/** The voting app's faults (`--fault NAME`, run by the faults plugin), in the order `cairn faults list` shows them. */
export const votingFaults: readonly AppFault[] = [doubleBallot, replayedBallot, ineligibleBallot];
