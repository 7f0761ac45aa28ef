import { Errors, Flags } from '@oclif/core';
import type { ElectionDetails } from '../../apps/voting/index.js';
import { CairnCommand } from '../../cli/base-command.js';
import { nodeApiFlags } from '../../cli/flags.js';
import { votingClientFromFlags } from '../../cli/voting/connect.js';
import { waitFlags, waitTimeoutMs } from '../../cli/tx/wait-flags.js';
import { electionFlag } from '../../cli/voting/flags.js';
import { ProgressLine } from '../../cli/tx/progress-line.js';
import { submissionResult, type SubmissionResult } from '../../cli/tx/tx-client.js';
import { SecretElectionClient } from '../../cli/voting/secret-client.js';
import { checkElectionId, type VotingClient } from '../../cli/voting/voting-client.js';
import { CairnError } from '../../kernel/index.js';

export interface CastResult extends SubmissionResult {
  election: string;
  choice: string;
  voter: string;
  publicKey: string;
}

/** A secret election's ballot: the choices stay on this machine, the tracking code finds the ballot on the chain. */
export interface SecretCastResult extends SubmissionResult {
  election: string;
  choices: string[];
  voter: string;
  publicKey: string;
  tracking: string;
}

/** `--audit`: the ballot opened instead of cast (Benaloh's challenge). */
export interface AuditResult {
  election: string;
  voter: string;
  publicKey: string;
  cast: false;
  tracking: string;
  selections: string[];
  randomness: string[];
  matches: boolean;
}

export default class VoteCast extends CairnCommand {
  static override summary = 'Cast one ballot, signed with the voter key NAME (made on first use).';
  static override description =
    "Waits until the ballot is counted in a block of the node's best chain with --confirmations blocks (that one included) and prints the block and its confirmations; a block that loses a fork is reported and the wait goes on. Or prints why it was refused (a voter who already voted, a closed election, a choice the election does not offer) and exits 1. In a secret election the ballot is encrypted here and its tracking code printed before it is sent; --choice is repeated when the election takes several; --audit encrypts a ballot and opens it instead (Benaloh's challenge): it is spoiled, not cast.";
  static override examples = [
    '<%= config.bin %> vote cast --choice tea --voter alice',
    '<%= config.bin %> vote cast --election budget --choice yes --voter bob --json',
    '<%= config.bin %> vote cast --choice tea --voter carol --confirmations 3',
    '<%= config.bin %> vote cast --election board --choice ada --choice grace --voter dave',
    '<%= config.bin %> vote cast --election board --choice ada --voter dave --audit',
  ];

  static override flags = {
    election: electionFlag,
    choice: Flags.string({
      summary:
        'The choice: one of the election’s choices, or any text for a write-in election; repeat it in a secret election that takes several.',
      multiple: true,
      multipleNonGreedy: true,
    }),
    voter: Flags.string({
      summary: 'Voter id: a key name in your keystore; a new name gets a key, kept once the node accepts the ballot.',
      required: true,
    }),
    audit: Flags.boolean({
      summary: 'Secret elections: encrypt the ballot, then open it and check the encryption instead of casting it (it is spoiled).',
      default: false,
    }),
    ...waitFlags,
    ...nodeApiFlags,
  };

  async run(): Promise<CastResult | SecretCastResult | AuditResult> {
    const { flags } = await this.parse(VoteCast);
    checkElectionId(flags.election);
    const client = await votingClientFromFlags(flags);
    const chosen = flags.choice ?? [];
    const details = await electionIfKnown(client, flags.election);
    if (details?.secret) return this.secret(client, flags, chosen);
    if (flags.audit)
      throw new Errors.CLIError(
        `--audit is for secret elections: election '${flags.election}' has public ballots, so there is nothing to audit`,
      );
    if (chosen.length !== 1)
      throw new Errors.CLIError(
        chosen.length === 0
          ? 'give the choice with --choice'
          : `election '${flags.election}' takes one choice per ballot: give --choice once`,
      );
    const choice = chosen[0]!;
    const key = client.voter(flags.voter);
    const progress = this.jsonEnabled() ? undefined : new ProgressLine(process.stdout);
    try {
      const submitted = await client.cast(flags.election, choice, flags.voter, {
        wait: flags.wait,
        timeoutMs: waitTimeoutMs(flags.timeout),
        confirmations: flags.confirmations,
        onProgress: progress?.update,
      });
      if (!flags.wait && !this.jsonEnabled())
        this.log(`not waiting: check with cairn vote receipt --election ${flags.election} --voter ${flags.voter}`);
      return {
        election: flags.election,
        choice,
        voter: flags.voter,
        publicKey: key.publicKey,
        ...submissionResult(submitted),
      };
    } finally {
      progress?.end();
    }
  }

  private async secret(
    client: VotingClient,
    flags: { election: string; voter: string; audit: boolean; wait: boolean; timeout?: number; confirmations: number },
    chosen: string[],
  ): Promise<SecretCastResult | AuditResult> {
    const secret = new SecretElectionClient(client);
    const key = client.voter(flags.voter);
    const json = this.jsonEnabled();
    if (flags.audit) {
      const audit = await secret.audit(flags.election, chosen, flags.voter);
      if (!json) {
        this.log(`audit (Benaloh challenge) of a ballot encrypted for '${flags.voter}' in election ${flags.election}`);
        this.log(`tracking code: ${audit.tracking}`);
        this.log(`selections revealed: ${audit.selections.length ? audit.selections.join(', ') : 'none (an empty ballot)'}`);
        audit.randomness.forEach((r, i) => this.log(`randomness of choice ${i + 1}: ${r}`));
        this.log(`re-encryption ${audit.matches ? 'matches the ballot: it encrypts what it claims' : 'does NOT match the ballot'}`);
        this.log('the ballot was spoiled, not cast: cast a fresh one without --audit');
      }
      if (!audit.matches)
        throw new CairnError('AUDIT_MISMATCH', `the encrypted ballot does not hold the selections it claims: do not vote from this device`);
      const { tracking, selections, randomness, matches } = audit;
      return {
        election: flags.election,
        voter: flags.voter,
        publicKey: key.publicKey,
        cast: false,
        tracking,
        selections,
        randomness,
        matches,
      };
    }
    const progress = json ? undefined : new ProgressLine(process.stdout);
    try {
      const { tracking, submitted } = await secret.cast(flags.election, chosen, flags.voter, {
        wait: flags.wait,
        timeoutMs: waitTimeoutMs(flags.timeout),
        confirmations: flags.confirmations,
        onProgress: progress?.update,
        onSealed: (code) => {
          if (!json) this.log(`encrypted ballot, tracking code ${code}`);
        },
      });
      progress?.end();
      if (!json) {
        const check = `cairn vote receipt --election ${flags.election} --tracking ${tracking}`;
        this.log(submitted.counted ? `ballot cast: look it up with ${check}` : `not waiting: check with ${check}`);
      }
      return {
        election: flags.election,
        choices: chosen,
        voter: flags.voter,
        publicKey: key.publicKey,
        tracking,
        ...submissionResult(submitted),
      };
    } finally {
      progress?.end();
    }
  }
}

/** The election, or undefined when the node knows none of that id: the ballot's refusal then says so, as before. */
async function electionIfKnown(client: VotingClient, id: string): Promise<ElectionDetails | undefined> {
  try {
    return await client.election(id);
  } catch (err) {
    if (err instanceof CairnError && err.code === 'ELECTION_UNKNOWN') return undefined;
    throw err;
  }
}
