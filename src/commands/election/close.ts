import { Flags } from '@oclif/core';
import { CairnCommand } from '../../cli/base-command.js';
import { nodeApiFlags } from '../../cli/flags.js';
import { votingClientFromFlags } from '../../cli/voting/connect.js';
import { waitFlags, waitTimeoutMs } from '../../cli/tx/wait-flags.js';
import { ProgressLine } from '../../cli/tx/progress-line.js';
import { submissionResult } from '../../cli/tx/tx-client.js';
import type { ElectionTxResult } from './open.js';

export default class ElectionClose extends CairnCommand {
  static override summary = 'Close an election: ballots after the closing block are refused.';
  static override examples = ['<%= config.bin %> election close --id budget --creator alice'];

  static override flags = {
    id: Flags.string({ summary: 'Election id.', required: true }),
    creator: Flags.string({ summary: 'Key name of the election’s creator in the keystore.', required: true }),
    ...waitFlags,
    ...nodeApiFlags,
  };

  async run(): Promise<ElectionTxResult> {
    const { flags } = await this.parse(ElectionClose);
    const client = await votingClientFromFlags(flags);
    // Only the creator's existing key can close; a new key would be refused anyway.
    const publicKey = client.publicKeyOf(flags.creator);
    const progress = this.jsonEnabled() ? undefined : new ProgressLine(process.stdout, 'transaction');
    try {
      const submitted = await client.close(flags.id, flags.creator, {
        wait: flags.wait,
        timeoutMs: waitTimeoutMs(flags.timeout),
        confirmations: flags.confirmations,
        onProgress: progress?.update,
      });
      if (!this.jsonEnabled()) this.log(`election ${flags.id} ${submitted.counted ? 'is closed' : 'close submitted'}`);
      return {
        election: flags.id,
        creator: flags.creator,
        publicKey,
        ...submissionResult(submitted),
      };
    } finally {
      progress?.end();
    }
  }
}
