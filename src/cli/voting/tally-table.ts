import type { ElectionDetails, ElectionSummary, SecretSummary, Tally } from '../../apps/voting/index.js';

const BAR_WIDTH = 24;

/** Whether ballots still count at the tip: not closed by its creator and not past its closing height. */
export function isOpenAt(election: Pick<ElectionSummary, 'closed' | 'closesAt'>, tipHeight: number): boolean {
  return !election.closed && (election.closesAt === null || tipHeight + 1 <= election.closesAt);
}

export function describeElectionState(election: ElectionSummary, tipHeight: number): string {
  const secret = election.secret ? `, ${describeSecret(election.secret)}` : '';
  if (election.closed) return `closed${secret}`;
  if (election.closesAt !== null) return `${isOpenAt(election, tipHeight) ? `open until block ${election.closesAt}` : 'closed'}${secret}`;
  return `open${secret}`;
}

/** Where a secret election stands: its key ceremony, then ballots, then its decryption. */
export function describeSecret(s: SecretSummary): string {
  const rule = `${s.threshold} of ${s.trustees} trustees`;
  if (s.phase === 'failed') return `secret, key ceremony failed`;
  if (s.phase !== 'voting') return `secret, ${rule}, key ceremony in round '${s.phase}'`;
  if (s.result) return `secret, ${rule}, decrypted`;
  return `secret, ${rule}${s.decrypted > 0 ? `, ${s.decrypted} share${s.decrypted === 1 ? '' : 's'} posted` : ''}`;
}

/**
 * The tally as a table a person reads at a glance: one row per choice with a bar scaled to the
 * leader, its share of the ballots, and the turnout (of the voter list, when there is one).
 */
export function renderTally(tally: Tally, election: ElectionDetails, tipHeight: number): string[] {
  const lines: string[] = [];
  const kind = election.writeIn ? 'write-in' : `${election.choices.length} choices`;
  lines.push(`Election ${election.id}: ${election.title}  (${describeElectionState(election, tipHeight)}, ${kind}, at block ${tipHeight})`);
  if (tally.sealed && election.secret) {
    const s = election.secret;
    lines.push(
      `  sealed: ${tally.turnout} ballot${tally.turnout === 1 ? '' : 's'}, decrypted once ${s.threshold} of the ${s.trustees} trustees post their shares (${s.decrypted} so far)${election.closed ? '' : ', after the close'}`,
    );
    return lines;
  }
  if (tally.choices.length === 0) {
    lines.push('  no ballots counted yet');
  } else {
    const width = Math.max(6, ...tally.choices.map((c) => c.choice.length));
    const votesWidth = Math.max(5, ...tally.choices.map((c) => String(c.votes).length));
    const top = Math.max(1, ...tally.choices.map((c) => c.votes));
    lines.push(`  ${'CHOICE'.padEnd(width)}  ${'VOTES'.padStart(votesWidth)}  ${''.padEnd(BAR_WIDTH)}  SHARE`);
    for (const { choice, votes } of tally.choices) {
      const filled = Math.round((votes / top) * BAR_WIDTH);
      const bar = '█'.repeat(filled) + '·'.repeat(BAR_WIDTH - filled);
      const share = tally.turnout === 0 ? 0 : (votes / tally.turnout) * 100;
      lines.push(`  ${choice.padEnd(width)}  ${String(votes).padStart(votesWidth)}  ${bar}  ${share.toFixed(1).padStart(5)}%`);
    }
  }
  lines.push(`  ${turnoutLine(tally.turnout, election)}`);
  return lines;
}

function turnoutLine(turnout: number, election: ElectionDetails): string {
  const ballots = `${turnout} ballot${turnout === 1 ? '' : 's'}`;
  if (election.eligibility === 'open') return `turnout: ${ballots} (open to any key, one ballot each)`;
  const share = election.voters === 0 ? 0 : (turnout / election.voters) * 100;
  return `turnout: ${ballots} of ${election.voters} eligible voters (${share.toFixed(1)}%)`;
}

/** `cairn election list`: one row per election. */
export function renderElections(elections: ElectionSummary[], tipHeight: number): string[] {
  if (elections.length === 0) return ['no elections on this chain yet'];
  const rows = elections.map((e) => ({
    id: e.id,
    title: e.title,
    choices: e.writeIn ? 'write-in' : e.choices.join(', '),
    state: describeElectionState(e, tipHeight),
    voters: e.eligibility === 'open' ? 'any key' : 'list',
    turnout: String(e.turnout),
  }));
  const header = { id: 'ID', title: 'TITLE', choices: 'CHOICES', state: 'STATE', voters: 'VOTERS', turnout: 'BALLOTS' };
  const keys = Object.keys(header) as Array<keyof typeof header>;
  const widths = Object.fromEntries(keys.map((k) => [k, Math.max(header[k].length, ...rows.map((r) => r[k].length))])) as Record<
    keyof typeof header,
    number
  >;
  const line = (r: typeof header) =>
    keys
      .map((k, i) => (i === keys.length - 1 ? r[k] : r[k].padEnd(widths[k])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
