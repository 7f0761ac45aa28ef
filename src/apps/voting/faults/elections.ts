import type { AppFaultContext } from '../../../kernel/index.js';
import { stateKeys, type ElectionRecord } from '../state-keys.js';

/** Elections that still take ballots at the tip, oldest first (a secret one takes only encrypted ballots: the plain-ballot faults pass it over). */
export function openElections(ctx: AppFaultContext, filter: (e: ElectionRecord) => boolean = () => true): ElectionRecord[] {
  const view = ctx.state();
  const height = ctx.tipHeight() + 1;
  return (view.get<string[]>(stateKeys.elections) ?? [])
    .map((id) => view.get<ElectionRecord>(stateKeys.election(id)))
    .filter((e): e is ElectionRecord => !!e && !e.closed && (e.closesAt === null || e.closesAt >= height) && filter(e));
}

/** A choice the election accepts: its first fixed choice, or a write-in. */
export function choiceFor(election: ElectionRecord, writeIn: string): string {
  return election.writeIn ? writeIn : election.choices[0]!;
}
