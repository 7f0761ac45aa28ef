import { Errors, Flags } from '@oclif/core';
import type { Receipt, TrackingAnswer } from '../../apps/voting/index.js';
import { CairnCommand } from '../../cli/base-command.js';
import { nodeApiFlags } from '../../cli/flags.js';
import { votingClientFromFlags } from '../../cli/voting/connect.js';
import { electionFlag } from '../../cli/voting/flags.js';
import { confirmations } from '../../cli/tx/progress-line.js';
import { SecretElectionClient } from '../../cli/voting/secret-client.js';
import { CairnError, ConfigError, HASH_RE } from '../../kernel/index.js';

/** `confirmations`: tip height − block height + 1 on the node's best chain, when counted. */
export type ReceiptResult = (Receipt | (Receipt & { counted: true; confirmations: number })) & {
  election: string;
  voter: string;
  publicKey: string;
};

export default class VoteReceipt extends CairnCommand {
  static override summary = "Check that a voter's ballot is counted: the block height and hash that hold it.";
  static override description =
    'Asks the node whether its best chain counts the ballot of the voter, and in which block. The voter is a key name in your keystore (--keystore) or a public key (64 hex digits). In a secret election, --tracking looks up the tracking code `vote cast` printed instead: the block that holds that ballot, and whether a later ballot of the same voter replaced it.';
  static override examples = [
    '<%= config.bin %> vote receipt --voter alice',
    '<%= config.bin %> vote receipt --election budget --voter 3f1c…e9 --json',
    '<%= config.bin %> vote receipt --election board --tracking 9a0b…71',
  ];

  static override flags = {
    election: electionFlag,
    voter: Flags.string({ summary: 'Voter: a key name in the keystore, or a public key.' }),
    tracking: Flags.string({ summary: 'Secret elections: the tracking code of a ballot (64 hex digits).' }),
    ...nodeApiFlags,
  };

  async run(): Promise<ReceiptResult | TrackingAnswer> {
    const { flags } = await this.parse(VoteReceipt);
    if ((flags.voter === undefined) === (flags.tracking === undefined))
      throw new Errors.CLIError('give either --voter (whose ballot) or --tracking (which ballot), not both or neither');
    const client = await votingClientFromFlags(flags);
    if (flags.tracking !== undefined) return this.tracking(new SecretElectionClient(client), flags.election, flags.tracking);
    const voter = flags.voter!;
    const publicKey = client.publicKeyOf(voter);
    const receipt = await client.countedReceipt(flags.election, publicKey);
    if (receipt.counted) {
      const what = 'choice' in receipt ? `for '${receipt.choice}'` : `with tracking code ${receipt.tracking}`;
      this.log(
        `counted: the ballot of ${voter} ${what} in election ${flags.election} is in block ${receipt.height}, with ${confirmations(receipt.confirmations)}`,
      );
      if ('replaces' in receipt && receipt.replaces > 0)
        this.log(
          `it replaces ${receipt.replaces === 1 ? 'an earlier ballot' : `${receipt.replaces} earlier ballots`} of ${voter}, which no longer ${receipt.replaces === 1 ? 'counts' : 'count'}`,
        );
      this.log(`block hash ${receipt.blockHash}`);
      this.log(`transaction ${receipt.txId}`);
    } else {
      this.log(`not counted yet: no block on this node's best chain holds a ballot of ${voter} in election ${flags.election}`);
    }
    return { election: flags.election, voter, publicKey, ...receipt };
  }

  private async tracking(client: SecretElectionClient, election: string, code: string): Promise<TrackingAnswer> {
    const tracking = code.trim().toLowerCase();
    if (!HASH_RE.test(tracking))
      throw new ConfigError(
        'TRACKING_BAD_CODE',
        `'${code}' is not a tracking code: a tracking code is 64 hex digits, as vote cast prints it`,
      );
    const answer = await client.tracking(election, tracking).catch((err: unknown) => {
      if (err instanceof CairnError && err.code === 'ELECTION_NOT_SECRET')
        throw new CairnError(err.code, `election '${election}' has public ballots, which have no tracking codes: use --voter`);
      throw err;
    });
    if (!answer.found) {
      this.log(`not found: no ballot with tracking code ${tracking} is on this node's best chain in election ${election}`);
    } else if (answer.replacedAt !== null) {
      this.log(
        `replaced: the ballot with tracking code ${tracking} was counted in block ${answer.height}, then replaced by a later ballot of the same voter at height ${answer.replacedAt}; it no longer counts`,
      );
    } else {
      this.log(`found: the ballot with tracking code ${tracking} is counted in election ${election}, in block ${answer.height}`);
    }
    if (answer.found) {
      this.log(`voter key ${answer.voter}`);
      this.log(`block hash ${answer.blockHash}`);
      this.log(`transaction ${answer.txId}`);
    }
    return answer;
  }
}
