import type { SecretElectionView } from '../../apps/voting/index.js';
import { CairnCommand } from '../../cli/base-command.js';
import { nodeApiFlags } from '../../cli/flags.js';
import { ProgressLine } from '../../cli/tx/progress-line.js';
import { runTrusteeCeremony } from '../../cli/voting/ceremony-run.js';
import { votingClientFromFlags } from '../../cli/voting/connect.js';
import { SecretElectionClient, type CeremonyProgress } from '../../cli/voting/secret-client.js';
import { checkElectionId } from '../../cli/voting/voting-client.js';
import { ceremonyOutcome, trusteeFlags, trusteeTimeoutFlag } from '../../cli/voting/trustee-flags.js';

export interface CeremonyResult {
  election: string;
  trustee: number;
  publicKey: string;
  phase: SecretElectionView['phase'];
  key: string | null;
  qualified: number[];
  disqualified: number[];
  failure: string | null;
}

const POSTED: Record<'trustee.key' | 'trustee.deal' | 'trustee.review', string> = {
  'trustee.key': 'ceremony key',
  'trustee.deal': 'deal (its shares for the other trustees, each encrypted to its recipient)',
  'trustee.review': 'review',
};

export default class TrusteeCeremony extends CairnCommand {
  static override summary = "Take part in a secret election's key ceremony as trustee NAME, round by round, until the key is fixed.";
  static override description =
    "Posts this trustee's ceremony key, then its deal, then its review of the others' deals (a complaint against each dealer whose share fails), each time waiting until a block counts it and until the other trustees have posted theirs, polling the node. Ends when the election key is fixed or the ceremony has failed (exit 1). Nothing is stored: the trustee's secrets are derived from its key, so running it again goes on where the chain is.";
  static override examples = [
    '<%= config.bin %> trustee ceremony --election board --key t1',
    '<%= config.bin %> trustee ceremony --election board --key t2 --timeout 600 --json',
  ];

  static override flags = { ...trusteeFlags, timeout: trusteeTimeoutFlag, ...nodeApiFlags };

  async run(): Promise<CeremonyResult> {
    const { flags } = await this.parse(TrusteeCeremony);
    checkElectionId(flags.election);
    const secret = new SecretElectionClient(await votingClientFromFlags(flags));
    const publicKey = secret.voting.publicKeyOf(flags.key);
    const json = this.jsonEnabled();
    const first = await secret.view(flags.election);
    const j = first.trustees.indexOf(publicKey) + 1;
    if (!json && j > 0) this.log(`trustee ${j} of ${first.trustees.length} in election ${flags.election} (any ${first.threshold} decrypt)`);
    const progress = json ? undefined : new ProgressLine(process.stdout, 'transaction');
    const say = (step: CeremonyProgress) => {
      if (json) return;
      progress?.end();
      if ('posted' in step) {
        const against = step.complaints.length
          ? `with complaints against trustee${step.complaints.length === 1 ? '' : 's'} ${step.complaints.join(', ')}`
          : 'with no complaint';
        this.log(`posted ${POSTED[step.posted]}${step.posted === 'trustee.review' ? ` ${against}` : ''}`);
      } else if ('waiting' in step) this.log(`waiting for ${step.waiting}`);
    };
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    try {
      const view = await runTrusteeCeremony(secret, flags.election, flags.key, {
        timeoutMs: flags.timeout * 1000,
        onStep: say,
        onProgress: progress?.update,
        signal: stop.signal,
      });
      progress?.end();
      const outcome = ceremonyOutcome(view);
      if (!json) this.log(outcome);
      if (view.phase === 'failed') process.exitCode = 1;
      return {
        election: flags.election,
        trustee: view.trustees.indexOf(publicKey) + 1,
        publicKey,
        phase: view.phase,
        key: view.key,
        qualified: view.qualified,
        disqualified: view.disqualified,
        failure: view.failure,
      };
    } finally {
      progress?.end();
      process.off('SIGINT', onSignal);
    }
  }
}
