import { Flags } from '@oclif/core';
import { CairnCommand } from '../../cli/base-command.js';
import { nodeApiFlags } from '../../cli/flags.js';
import { votingClientFromFlags } from '../../cli/voting/connect.js';
import { waitFlags, waitTimeoutMs } from '../../cli/tx/wait-flags.js';
import { electionFlag } from '../../cli/voting/flags.js';
import { ProgressLine } from '../../cli/tx/progress-line.js';
import { submissionResult, type SubmissionResult } from '../../cli/tx/tx-client.js';
import { checkElectionId } from '../../cli/voting/voting-client.js';

export interface CastResult extends SubmissionResult {
  election: string;
  choice: string;
  voter: string;
  publicKey: string;
}

export default class VoteCast extends CairnCommand {
  static override summary = 'Cast one ballot, signed with the voter key NAME (made on first use).';
  static override description =
    "Waits until the ballot is counted in a block of the node's best chain with --confirmations blocks (that one included) and prints the block and its confirmations; a block that loses a fork is reported and the wait goes on. Or prints why it was refused (a voter who already voted, a closed election, a choice the election does not offer) and exits 1.";
  static override examples = [
    '<%= config.bin %> vote cast --choice tea --voter alice',
    '<%= config.bin %> vote cast --election budget --choice yes --voter bob --json',
    '<%= config.bin %> vote cast --choice tea --voter carol --confirmations 3',
  ];

  static override flags = {
    election: electionFlag,
    choice: Flags.string({ summary: 'The choice: one of the election’s choices, or any text for a write-in election.', required: true }),
    voter: Flags.string({
      summary: 'Voter id: a key name in your keystore; a new name gets a key, kept once the node accepts the ballot.',
      required: true,
    }),
    ...waitFlags,
    ...nodeApiFlags,
  };

  async run(): Promise<CastResult> {
    const { flags } = await this.parse(VoteCast);
    checkElectionId(flags.election);
    const client = await votingClientFromFlags(flags);
    const key = client.voter(flags.voter);
    const progress = this.jsonEnabled() ? undefined : new ProgressLine(process.stdout);
    try {
      const submitted = await client.cast(flags.election, flags.choice, flags.voter, {
        wait: flags.wait,
        timeoutMs: waitTimeoutMs(flags.timeout),
        confirmations: flags.confirmations,
        onProgress: progress?.update,
      });
      if (!flags.wait && !this.jsonEnabled())
        this.log(`not waiting: check with cairn vote receipt --election ${flags.election} --voter ${flags.voter}`);
      return {
        election: flags.election,
        choice: flags.choice,
        voter: flags.voter,
        publicKey: key.publicKey,
        ...submissionResult(submitted),
      };
    } finally {
      progress?.end();
    }
  }
}
