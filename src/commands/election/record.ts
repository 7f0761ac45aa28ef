import { Args, Flags } from '@oclif/core';
import type { ElectionRecordFile } from '../../apps/voting/index.js';
import { CairnCommand } from '../../cli/base-command.js';
import { nodeApiFlags } from '../../cli/flags.js';
import { votingClientFromFlags } from '../../cli/voting/connect.js';
import { writeRecordFile } from '../../cli/voting/record-file.js';
import { SecretElectionClient } from '../../cli/voting/secret-client.js';
import { checkElectionId } from '../../cli/voting/voting-client.js';
import { notSecretSentence } from '../../cli/voting/refusal.js';

export interface RecordWritten {
  election: string;
  file: string;
  transactions: number;
  exportedAt: { height: number; hash: string };
}

export default class ElectionRecord extends CairnCommand {
  static override summary =
    "Export a secret election's record: every transaction of it on the node's best chain, and what the node claims.";
  static override description =
    'The record (docs/election-record.md) holds the opening, the key ceremony, every ballot (replaced ones too), the close and the decryptions, with the blocks that hold them, and the key, sums and result the node claims. Anyone can re-check it with `cairn election verify FILE`. Without --out the JSON goes to stdout.';
  static override examples = [
    '<%= config.bin %> election record board --out board.json',
    '<%= config.bin %> election record board > board.json',
  ];

  static override args = { id: Args.string({ description: 'Election id.', required: true }) };

  static override flags = {
    out: Flags.string({ summary: 'File to write the record to.' }),
    force: Flags.boolean({ summary: 'Replace --out if it exists.', default: false }),
    ...nodeApiFlags,
  };

  async run(): Promise<RecordWritten | ElectionRecordFile> {
    const { args, flags } = await this.parse(ElectionRecord);
    const id = checkElectionId(args.id);
    const client = new SecretElectionClient(await votingClientFromFlags(flags));
    const record = await client.record(id).catch(notSecretSentence(id));
    if (flags.out === undefined) {
      if (!this.jsonEnabled()) process.stdout.write(`${JSON.stringify(record)}\n`);
      return record;
    }
    writeRecordFile(flags.out, `${JSON.stringify(record, null, 1)}\n`, flags.force);
    this.log(
      `wrote the record of election ${id} to ${flags.out}: ${record.transactions.length} transactions, up to block ${record.exportedAt.height}; check it with cairn election verify ${flags.out}`,
    );
    return { election: id, file: flags.out, transactions: record.transactions.length, exportedAt: record.exportedAt };
  }
}
