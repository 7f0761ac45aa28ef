import { Flags } from '@oclif/core';
import type { Tally } from '../../apps/voting/index.js';
import { CairnCommand } from '../../cli/base-command.js';
import { nodeApiFlags } from '../../cli/flags.js';
import { votingClientFromFlags } from '../../cli/voting/connect.js';
import { electionFlag } from '../../cli/voting/flags.js';
import { renderTally } from '../../cli/voting/tally-table.js';
import type { VotingClient } from '../../cli/voting/voting-client.js';

export type TallyResult = Tally & { height: number; tip: string };

export default class VoteTally extends CairnCommand {
  static override summary = "Show an election's tally: votes per choice and turnout.";
  static override description =
    'The counts come from the node’s state (one counter per choice), not from a scan of the chain. With --watch, the tally is printed again after every new block until Ctrl-C (with --json, one JSON object per line).';
  static override examples = [
    '<%= config.bin %> vote tally',
    '<%= config.bin %> vote tally --election budget --json',
    '<%= config.bin %> vote tally --watch',
  ];

  static override flags = {
    election: electionFlag,
    watch: Flags.boolean({ summary: 'Print the tally again after each new block, until Ctrl-C.', default: false }),
    ...nodeApiFlags,
  };

  async run(): Promise<TallyResult | void> {
    const { flags } = await this.parse(VoteTally);
    const client = await votingClientFromFlags(flags);
    if (!flags.watch) {
      const result = await this.read(client, flags.election);
      if (!this.jsonEnabled()) await this.print(client, result);
      return result;
    }
    await this.watch(client, flags.election);
  }

  private async read(client: VotingClient, election: string): Promise<TallyResult> {
    // The status first: the tally is then at least as new as the height printed with it.
    const status = await client.status();
    const tally = await client.tally(election);
    return { ...tally, height: status.height, tip: status.tip };
  }

  private async print(client: VotingClient, result: TallyResult): Promise<void> {
    const details = await client.election(result.election);
    for (const line of renderTally(result, details, result.height)) this.log(line);
  }

  /** Re-reads on each block or reorg event; reads are chained so two blocks never interleave output. */
  private async watch(client: VotingClient, election: string): Promise<void> {
    const json = this.jsonEnabled();
    let chain = Promise.resolve();
    let failure: unknown;
    let lastTip = '';
    const refresh = () => {
      chain = chain.then(async () => {
        try {
          const result = await this.read(client, election);
          if (result.tip === lastTip) return;
          lastTip = result.tip;
          if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
          else {
            this.log('');
            await this.print(client, result);
          }
        } catch (err) {
          failure ??= err;
        }
      });
    };
    const stream = await client.api.events(() => refresh(), { types: ['block', 'reorg'] });
    refresh();
    const stopped = new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    try {
      await Promise.race([stopped, stream.done]);
      await chain;
      if (failure) throw failure;
    } finally {
      stream.close();
    }
  }
}
