import { Errors, Flags } from '@oclif/core';
import type { SecretSpec } from '../../apps/voting/index.js';
import { CairnCommand } from '../../cli/base-command.js';
import { integerFlag, nodeApiFlags } from '../../cli/flags.js';
import { votingClientFromFlags } from '../../cli/voting/connect.js';
import { waitFlags, waitTimeoutMs } from '../../cli/tx/wait-flags.js';
import { ProgressLine } from '../../cli/tx/progress-line.js';
import { submissionResult, type SubmissionResult } from '../../cli/tx/tx-client.js';
import { checkElectionId } from '../../cli/voting/voting-client.js';
import { selectionRule } from '../../apps/voting/index.js';

export interface ElectionTxResult extends SubmissionResult {
  election: string;
  creator: string;
  publicKey: string;
  /** A secret election's trustees (public keys, in trustee order) and rule. */
  secret?: SecretSpec;
}

const SECRET_ONLY = ['trustee', 'threshold', 'revote', 'min', 'max'] as const;

export default class ElectionOpen extends CairnCommand {
  static override summary = 'Open an election, signed by its creator.';
  static override description =
    'Without --choice the election is write-in: any text is a choice. Without --eligible any key may vote, once; with it, only the listed keys (public keys, or key names in the keystore). Only the creator can close it.';
  static override examples = [
    '<%= config.bin %> election open --id budget --title "Budget 2026" --choice yes --choice no --creator alice',
    '<%= config.bin %> election open --id board --title "Board" --eligible alice --eligible bob --closes-at 500 --creator alice',
    '<%= config.bin %> election open --id chair --title "Chair" --choice ada --choice grace --secret --trustee t1 --trustee t2 --trustee t3 --threshold 2 --revote --creator alice',
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
    secret: Flags.boolean({
      summary: 'Secret ballots: encrypted under a key the trustees make together, decrypted only as totals after the close.',
      default: false,
    }),
    trustee: Flags.string({
      summary: 'With --secret: a trustee, a key name in the keystore or a public key; repeat for each, in trustee order (trustee 1 first).',
      multiple: true,
      multipleNonGreedy: true,
    }),
    threshold: integerFlag({ summary: 'With --secret: how many trustees it takes to decrypt the totals (fewer learn nothing).' }),
    revote: Flags.boolean({ summary: "With --secret: a voter's later ballot replaces the earlier one.", default: false }),
    min: integerFlag({ summary: 'With --secret: fewest choices a ballot selects. [default: 1]' }),
    max: integerFlag({ summary: 'With --secret: most choices a ballot selects. [default: 1, or --min]' }),
    creator: Flags.string({ summary: 'Key name of the creator in your keystore, made on first use.', required: true }),
    ...waitFlags,
    ...nodeApiFlags,
  };

  async run(): Promise<ElectionTxResult> {
    const { flags } = await this.parse(ElectionOpen);
    checkElectionId(flags.id);
    if (!flags.secret) {
      const typed = SECRET_ONLY.filter((name) => this.argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`)));
      if (typed.length > 0)
        throw new Errors.CLIError(
          `${typed.map((n) => `--${n}`).join(', ')} ${typed.length === 1 ? 'is' : 'are'} for secret elections: add --secret`,
        );
    }
    const client = await votingClientFromFlags(flags);
    const creator = client.voter(flags.creator);
    const voters = flags.eligible?.map((v) => client.publicKeyOrNew(v));
    const secret = flags.secret ? secretSpec(flags, (t) => client.publicKeyOf(t)) : undefined;
    const progress = this.jsonEnabled() ? undefined : new ProgressLine(process.stdout, 'election');
    try {
      const submitted = await client.open(
        {
          id: flags.id,
          title: flags.title,
          choices: flags.choice,
          eligibility: voters ? { voters } : 'open',
          closesAt: flags['closes-at'],
          secret,
        },
        flags.creator,
        { wait: flags.wait, timeoutMs: waitTimeoutMs(flags.timeout), confirmations: flags.confirmations, onProgress: progress?.update },
      );
      if (!this.jsonEnabled()) {
        this.log(`election ${flags.id} ${submitted.counted ? 'is open' : 'submitted'}: ${flags.title}`);
        if (secret) {
          const rule = secret.revote ? 'a later ballot replaces an earlier one' : 'one ballot per voter';
          this.log(
            `secret ballots: ${secret.trustees.length} trustees, any ${secret.threshold} decrypt the totals after the close; ${rule}; ${selectionRule({ min: secret.min ?? 1, max: secret.max ?? Math.max(1, secret.min ?? 1) })} per ballot`,
          );
          this.log(
            `next: each trustee runs cairn trustee ceremony --election ${flags.id} --key NAME; ballots are taken once the key is fixed`,
          );
        }
      }
      return {
        election: flags.id,
        creator: flags.creator,
        publicKey: creator.publicKey,
        ...(secret ? { secret } : {}),
        ...submissionResult(submitted),
      };
    } finally {
      progress?.end();
    }
  }
}

/** The --secret flags as the app's spec; what only the chain can judge (a threshold above the trustees) is left to it. */
function secretSpec(
  flags: { choice?: string[]; trustee?: string[]; threshold?: number; revote: boolean; min?: number; max?: number },
  publicKeyOf: (nameOrKey: string) => string,
): SecretSpec {
  if (!flags.choice?.length)
    throw new Errors.CLIError('a secret election needs its choices listed: give --choice for each (a write-in cannot be encrypted)');
  if (!flags.trustee?.length) throw new Errors.CLIError('a secret election needs its trustees: give --trustee for each, in order');
  if (flags.threshold === undefined)
    throw new Errors.CLIError('a secret election needs --threshold: how many of its trustees it takes to decrypt the totals');
  const trustees = flags.trustee.map(publicKeyOf);
  const twice = trustees.find((k, i) => trustees.indexOf(k) !== i);
  if (twice) throw new Errors.CLIError(`trustee ${twice.slice(0, 12)}… is given twice: each --trustee is a different key`);
  return {
    trustees,
    threshold: flags.threshold,
    ...(flags.revote ? { revote: true } : {}),
    ...(flags.min === undefined ? {} : { min: flags.min }),
    ...(flags.max === undefined ? {} : { max: flags.max }),
  };
}
