import { votingApp } from '../apps/voting/index.js';
import { faultCatalogue, type FaultBehaviour } from '../plugins/faults/index.js';

/**
 * Every fault a cairn node can be told to commit: the faults plugin's own, then those the
 * built-in apps ship. Commands that know faults without a node (`faults list`, the devnet's
 * fault oracle) read this list; a node finds them among the apps it runs.
 */
export const KNOWN_FAULTS: readonly FaultBehaviour<unknown>[] = faultCatalogue([votingApp]);

const byName = new Map(KNOWN_FAULTS.map((b) => [b.name, b]));

export function findKnownFault(name: string): FaultBehaviour<unknown> | undefined {
  return byName.get(name);
}
