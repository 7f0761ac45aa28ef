import { Args } from '@oclif/core';
import type { ElectionDetails, SecretElectionView } from '../../apps/voting/index.js';
import { CairnCommand } from '../../cli/base-command.js';
import { nodeApiFlags } from '../../cli/flags.js';
import { votingClientFromFlags } from '../../cli/voting/connect.js';
import { selectionRule } from '../../apps/voting/index.js';
import { SecretElectionClient } from '../../cli/voting/secret-client.js';
import { describeElectionState, isOpenAt } from '../../cli/voting/tally-table.js';
import { checkElectionId } from '../../cli/voting/voting-client.js';

export type ElectionShowResult = ElectionDetails & {
  open: boolean;
  /** A secret election's ceremony and decryption, without its ballots. */
  ceremony?: Pick<
    SecretElectionView,
    | 'trustees'
    | 'threshold'
    | 'revote'
    | 'min'
    | 'max'
    | 'phase'
    | 'posted'
    | 'qualified'
    | 'disqualified'
    | 'key'
    | 'failure'
    | 'decrypted'
  >;
};

export default class ElectionShow extends CairnCommand {
  static override summary = 'Show one election: its choices, voters and state; for a secret election its trustees, threshold and ceremony.';
  static override examples = ['<%= config.bin %> election show board', '<%= config.bin %> election show board --json'];

  static override args = { id: Args.string({ description: 'Election id.', required: true }) };
  static override flags = { ...nodeApiFlags };

  async run(): Promise<ElectionShowResult> {
    const { args, flags } = await this.parse(ElectionShow);
    const client = await votingClientFromFlags(flags);
    const id = checkElectionId(args.id);
    const [details, status] = await Promise.all([client.election(id), client.status()]);
    this.log(`election ${id}: ${details.title}`);
    this.log(
      `state: ${describeElectionState(details, status.height)} (opened in block ${details.openedAt}${details.closedAt ? `, closed in block ${details.closedAt}` : ''})`,
    );
    this.log(`choices: ${details.writeIn ? 'write-in' : details.choices.join(', ')}`);
    this.log(
      `voters: ${details.eligibility === 'open' ? 'any key, once' : `${details.voters} keys on the list`}; ballots: ${details.turnout}`,
    );
    const result: ElectionShowResult = { ...details, open: isOpenAt(details, status.height) };
    if (!details.secret) return result;
    const v = await new SecretElectionClient(client).view(id);
    this.log(
      `secret ballots: any ${v.threshold} of ${v.trustees.length} trustees decrypt; ${selectionRule(v)} per ballot; ${v.revote ? 'a later ballot replaces an earlier one' : 'one ballot per voter'}`,
    );
    v.trustees.forEach((key, i) => {
      const j = i + 1;
      const marks = [
        v.qualified.includes(j) ? 'qualified' : '',
        v.disqualified.includes(j) ? 'disqualified' : '',
        v.decrypted.includes(j) ? 'decrypted' : '',
      ].filter(Boolean);
      this.log(`  trustee ${j}: ${key}${marks.length ? ` (${marks.join(', ')})` : ''}`);
    });
    this.log(`key ceremony: ${ceremonyLine(v)}`);
    if (v.phase === 'voting')
      this.log(
        v.result ? `decrypted by trustees ${v.result.trustees.join(', ')}` : `decryption: ${v.decrypted.length} of ${v.threshold} shares`,
      );
    const { trustees, threshold, revote, min, max, phase, posted, qualified, disqualified, key, failure, decrypted } = v;
    return {
      ...result,
      ceremony: { trustees, threshold, revote, min, max, phase, posted, qualified, disqualified, key, failure, decrypted },
    };
  }
}

function ceremonyLine(v: SecretElectionView): string {
  if (v.phase === 'failed') return `failed: ${v.failure}`;
  if (v.phase === 'voting') return `done, election key ${v.key}`;
  return `round '${v.phase}', ${v.posted.length} of ${v.trustees.length} trustees posted${v.posted.length ? ` (${v.posted.join(', ')})` : ''}`;
}
