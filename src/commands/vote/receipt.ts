import { Flags } from '@oclif/core';
import type { Receipt } from '../../apps/voting/index.js';
import { CairnCommand } from '../../cli/base-command.js';
import { nodeApiFlags } from '../../cli/flags.js';
import { votingClientFromFlags } from '../../cli/voting/connect.js';
import { electionFlag } from '../../cli/voting/flags.js';
import { confirmations } from '../../cli/tx/progress-line.js';

/** `confirmations`: tip height − block height + 1 on the node's best chain, when counted. */
export type ReceiptResult = (Receipt | (Receipt & { counted: true; confirmations: number })) & {
  election: string;
  voter: string;
  publicKey: string;
};

export default class VoteReceipt extends CairnCommand {
  static override summary = "Check that a voter's ballot is counted: the block height and hash that hold it.";
  static override description =
    'Asks the node whether its best chain counts the ballot of the voter, and in which block. The voter is a key name in your keystore (--keystore) or a public key (64 hex digits).';
  static override examples = [
    '<%= config.bin %> vote receipt --voter alice',
    '<%= config.bin %> vote receipt --election budget --voter 3f1c…e9 --json',
  ];

  static override flags = {
    election: electionFlag,
    voter: Flags.string({ summary: 'Voter: a key name in the keystore, or a public key.', required: true }),
    ...nodeApiFlags,
  };

  async run(): Promise<ReceiptResult> {
    const { flags } = await this.parse(VoteReceipt);
    const client = await votingClientFromFlags(flags);
    const publicKey = client.publicKeyOf(flags.voter);
    const receipt = await client.countedReceipt(flags.election, publicKey);
    if (receipt.counted) {
      const what = 'choice' in receipt ? `for '${receipt.choice}'` : `with tracking code ${receipt.tracking}`;
      this.log(
        `counted: the ballot of ${flags.voter} ${what} in election ${flags.election} is in block ${receipt.height}, with ${confirmations(receipt.confirmations)}`,
      );
      this.log(`block hash ${receipt.blockHash}`);
      this.log(`transaction ${receipt.txId}`);
    } else {
      this.log(`not counted yet: no block on this node's best chain holds a ballot of ${flags.voter} in election ${flags.election}`);
    }
    return { election: flags.election, voter: flags.voter, publicKey, ...receipt };
  }
}
