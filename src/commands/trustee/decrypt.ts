import { CairnCommand } from '../../cli/base-command.js';
import { nodeApiFlags } from '../../cli/flags.js';
import { ProgressLine } from '../../cli/tx/progress-line.js';
import { submissionResult, type SubmissionResult } from '../../cli/tx/tx-client.js';
import { waitFlags, waitTimeoutMs } from '../../cli/tx/wait-flags.js';
import { votingClientFromFlags } from '../../cli/voting/connect.js';
import { SecretElectionClient } from '../../cli/voting/secret-client.js';
import { trusteeFlags } from '../../cli/voting/trustee-flags.js';
import { checkElectionId } from '../../cli/voting/voting-client.js';

export interface DecryptResult extends SubmissionResult {
  election: string;
  trustee: number;
  /** Valid shares on the chain, and how many it takes. */
  shares: number;
  threshold: number;
  /** Votes per choice once `threshold` shares are on the chain, else null. */
  result: Array<{ choice: string; votes: number }> | null;
}

export default class TrusteeDecrypt extends CairnCommand {
  static override summary = "Post trustee NAME's decryption of a closed secret election's totals.";
  static override description =
    "The trustee's key share is rebuilt from the ceremony on the chain and its key; the decryption of each choice's encrypted sum carries a proof against the trustee's verification key. Once the threshold of trustees have posted theirs, the chain knows the result, and this prints it.";
  static override examples = ['<%= config.bin %> trustee decrypt --election board --key t1'];

  static override flags = { ...trusteeFlags, ...waitFlags, ...nodeApiFlags };

  async run(): Promise<DecryptResult> {
    const { flags } = await this.parse(TrusteeDecrypt);
    checkElectionId(flags.election);
    const secret = new SecretElectionClient(await votingClientFromFlags(flags));
    const publicKey = secret.voting.publicKeyOf(flags.key);
    const progress = this.jsonEnabled() ? undefined : new ProgressLine(process.stdout, 'decryption');
    let submitted;
    try {
      submitted = await secret.decrypt(flags.election, flags.key, {
        wait: flags.wait,
        timeoutMs: waitTimeoutMs(flags.timeout),
        confirmations: flags.confirmations,
        onProgress: progress?.update,
      });
    } finally {
      progress?.end();
    }
    const view = await secret.view(flags.election);
    const trustee = view.trustees.indexOf(publicKey) + 1;
    const result = view.result ? view.choices.map((choice, i) => ({ choice, votes: view.result!.counts[i]! })) : null;
    if (!this.jsonEnabled()) {
      const have = `${view.decrypted.length} of the ${view.threshold} shares needed`;
      if (!submitted.counted) this.log(`trustee ${trustee}'s decryption is submitted; not waiting for its block`);
      else if (result) {
        this.log(`the result is known (${view.decrypted.length} shares, from trustees ${view.result!.trustees.join(', ')}):`);
        for (const { choice, votes } of result) this.log(`  ${choice}: ${votes}`);
      } else this.log(`trustee ${trustee}'s decryption is counted; the result is not known yet: ${have} are on the chain`);
    }
    return {
      election: flags.election,
      trustee,
      shares: view.decrypted.length,
      threshold: view.threshold,
      result,
      ...submissionResult(submitted),
    };
  }
}
