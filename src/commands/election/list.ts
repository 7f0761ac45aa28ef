import type { ElectionSummary } from '../../apps/voting/index.js';
import { CairnCommand } from '../../cli/base-command.js';
import { nodeApiFlags } from '../../cli/flags.js';
import { votingClientFromFlags } from '../../cli/voting/connect.js';
import { isOpenAt, renderElections } from '../../cli/voting/tally-table.js';

export type ElectionListItem = ElectionSummary & { open: boolean };

export default class ElectionList extends CairnCommand {
  static override summary = 'List the elections on the chain, open or closed.';
  static override examples = ['<%= config.bin %> election list', '<%= config.bin %> election list --json'];

  static override flags = { ...nodeApiFlags };

  async run(): Promise<ElectionListItem[]> {
    const { flags } = await this.parse(ElectionList);
    const client = await votingClientFromFlags(flags);
    const status = await client.status();
    const elections = await client.elections();
    for (const line of renderElections(elections, status.height)) this.log(line);
    return elections.map((e) => ({ ...e, open: isOpenAt(e, status.height) }));
  }
}
