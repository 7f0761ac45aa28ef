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

  /** The tally with the tip it was read at: read again when a block arrives between the two reads. */
  private async read(client: VotingClient, election: string): Promise<TallyResult> {
    let status = await client.status();
    for (let attempt = 0; ; attempt++) {
      const tally = await client.tally(election);
      const after = await client.status();
      if (after.tip === status.tip || attempt === 4) return { ...tally, height: after.height, tip: after.tip };
      status = after;
    }
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
    let onSignal = () => undefined as void;
    const stopped = new Promise<void>((resolve) => (onSignal = resolve));
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      await Promise.race([stopped, stream.done]);
      await chain;
      if (failure) throw failure;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      stream.close();
    }
  }
}
