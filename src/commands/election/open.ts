import { Flags } from '@oclif/core';
import { CairnCommand } from '../../cli/base-command.js';
import { integerFlag, nodeApiFlags } from '../../cli/flags.js';
import { votingClientFromFlags } from '../../cli/voting/connect.js';
import { waitFlags, waitTimeoutMs } from '../../cli/tx/wait-flags.js';
import { ProgressLine } from '../../cli/tx/progress-line.js';
import { submissionResult, type SubmissionResult } from '../../cli/tx/tx-client.js';
import { checkElectionId } from '../../cli/voting/voting-client.js';

export interface ElectionTxResult extends SubmissionResult {
  election: string;
  creator: string;
  publicKey: string;
}

export default class ElectionOpen extends CairnCommand {
  static override summary = 'Open an election, signed by its creator.';
  static override description =
    'Without --choice the election is write-in: any text is a choice. Without --eligible any key may vote, once; with it, only the listed keys (public keys, or key names in the keystore). Only the creator can close it.';
  static override examples = [
    '<%= config.bin %> election open --id budget --title "Budget 2026" --choice yes --choice no --creator alice',
    '<%= config.bin %> election open --id board --title "Board" --eligible alice --eligible bob --closes-at 500 --creator alice',
  ];

  static override flags = {
    id: Flags.string({ summary: 'Election id: lowercase letters, digits, ".", "_" or "-".', required: true }),
    title: Flags.string({ summary: 'What the election decides.', required: true }),
    choice: Flags.string({ summary: 'A choice; repeat for each. None: write-in.', multiple: true, multipleNonGreedy: true }),
    eligible: Flags.string({
      summary:
        'A voter allowed to vote: a public key, or a key name (a new name gets a key, kept once the election is accepted). Repeat for each. None: any key.',
      multiple: true,
      multipleNonGreedy: true,
    }),
    'closes-at': integerFlag({ summary: 'Last block height at which a ballot counts.' }),
    creator: Flags.string({ summary: 'Key name of the creator in your keystore, made on first use.', required: true }),
    ...waitFlags,
    ...nodeApiFlags,
  };

  async run(): Promise<ElectionTxResult> {
    const { flags } = await this.parse(ElectionOpen);
    checkElectionId(flags.id);
    const client = await votingClientFromFlags(flags);
    const creator = client.voter(flags.creator);
    const voters = flags.eligible?.map((v) => client.publicKeyOrNew(v));
    const progress = this.jsonEnabled() ? undefined : new ProgressLine(process.stdout, 'election');
    try {
      const submitted = await client.open(
        {
          id: flags.id,
          title: flags.title,
          choices: flags.choice,
          eligibility: voters ? { voters } : 'open',
          closesAt: flags['closes-at'],
        },
        flags.creator,
        { wait: flags.wait, timeoutMs: waitTimeoutMs(flags.timeout), confirmations: flags.confirmations, onProgress: progress?.update },
      );
      if (!this.jsonEnabled()) this.log(`election ${flags.id} ${submitted.counted ? 'is open' : 'submitted'}: ${flags.title}`);
      return {
        election: flags.id,
        creator: flags.creator,
        publicKey: creator.publicKey,
        ...submissionResult(submitted),
      };
    } finally {
      progress?.end();
    }
  }
}
