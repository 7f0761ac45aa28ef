import { stateKeys, VOTING_APP_ID, type ElectionRecord } from '../../../apps/voting/index.js';
import type { ChainEngine } from '../../../kernel/index.js';

/** Whether the chain runs the voting app: the ballot faults need it. */
export function runsVoting(chain: ChainEngine): boolean {
  return chain.reader.appIds().includes(VOTING_APP_ID);
}

/** Elections that still take ballots at the tip, oldest first. */
export function openElections(chain: ChainEngine, filter: (e: ElectionRecord) => boolean = () => true): ElectionRecord[] {
  const view = chain.view(VOTING_APP_ID);
  const height = chain.tip().height + 1;
  return (view.get<string[]>(stateKeys.elections) ?? [])
    .map((id) => view.get<ElectionRecord>(stateKeys.election(id)))
    .filter((e): e is ElectionRecord => !!e && !e.closed && (e.closesAt === null || e.closesAt >= height) && filter(e));
}

/** A choice the election accepts: its first fixed choice, or a write-in. */
export function choiceFor(election: ElectionRecord, writeIn: string): string {
  return election.writeIn ? writeIn : election.choices[0]!;
}
