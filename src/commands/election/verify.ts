import { Args } from '@oclif/core';
import { verifyElectionRecord, type ElectionRecordFile, type RecordCounts, type RecordVerdict } from '../../apps/voting/index.js';
import { CairnCommand } from '../../cli/base-command.js';
import { nodeApiFlags } from '../../cli/flags.js';
import { votingClientFromFlags } from '../../cli/voting/connect.js';
import { isFile, readRecordFile } from '../../cli/voting/record-file.js';
import { notSecretSentence } from '../../cli/voting/refusal.js';
import { SecretElectionClient } from '../../cli/voting/secret-client.js';
import { checkElectionId } from '../../cli/voting/voting-client.js';
import { CairnError, ConfigError } from '../../kernel/index.js';

export type VerifyResult = RecordVerdict & { source: string };

export default class ElectionVerify extends CairnCommand {
  static override summary = 'Re-check a secret election from its record: every signature, proof, sum, decryption and the result.';
  static override description =
    "The argument is a record file (from `cairn election record`) when a file of that name exists, else an election id whose record is fetched from the node. The record's transactions are replayed through the rules every node runs, and the key, sums and result it claims are compared with what they give. Prints what was checked and the result; or names the first check that fails, and the transaction, and exits 1.";
  static override examples = ['<%= config.bin %> election verify board.json', '<%= config.bin %> election verify board --json'];

  static override args = { record: Args.string({ description: 'A record file, or an election id.', required: true }) };

  static override flags = { ...nodeApiFlags };

  async run(): Promise<VerifyResult> {
    const { args, flags } = await this.parse(ElectionVerify);
    const fromFile = isFile(args.record);
    let record: ElectionRecordFile;
    if (fromFile) record = readRecordFile(args.record);
    else {
      const id = checkElectionId(args.record);
      record = await new SecretElectionClient(await votingClientFromFlags(flags)).record(id).catch(notSecretSentence(id));
    }
    const source = fromFile ? args.record : `election ${args.record} from the node`;
    const verdict = verify(record, source);
    if (!verdict.ok && verdict.check === 'format')
      throw new ConfigError('RECORD_FORMAT', `${source} is not an election record: ${verdict.message}`);
    this.log(`checked ${source}${verdict.ok ? '' : ' up to the failure'}: ${describeCounts(verdict.counts)}`);
    if (verdict.ok) {
      this.log('every signature, proof, sum and decryption holds, and the claimed key, sums and result are the ones they give');
      const result = verdict.result;
      if (!result) this.log(`result: not decrypted yet (election ${verdict.election})`);
      else
        this.log(
          `result of election ${verdict.election}: ${verdict.choices.map((c, i) => `${c} ${result.counts[i]}`).join(', ')} (decrypted by trustees ${result.trustees.join(', ')})`,
        );
      return { ...verdict, source };
    }
    const where = verdict.transaction === undefined ? '' : ` at transaction ${verdict.transaction}`;
    const sentence = `the record fails the '${verdict.check}' check${where}: ${verdict.message}`;
    if (this.jsonEnabled()) {
      process.exitCode = 1;
      return { ...verdict, source };
    }
    throw new CairnError(verdict.code, sentence);
  }
}

/** The verifier on a file from anywhere: anything it cannot even walk is not a record. */
function verify(record: ElectionRecordFile, source: string): RecordVerdict {
  try {
    return verifyElectionRecord(record);
  } catch (err) {
    throw new ConfigError('RECORD_FORMAT', `${source} is not a well-formed election record: ${(err as Error).message ?? String(err)}`);
  }
}

function describeCounts(c: RecordCounts): string {
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  return [
    n(c.transactions, 'transaction'),
    n(c.ceremonyKeys, 'ceremony key'),
    n(c.deals, 'deal'),
    n(c.complaints, 'complaint'),
    `${n(c.ballots, 'ballot')} (${n(c.revotes, 'revote')})`,
    n(c.decryptions, 'decryption'),
  ].join(', ');
}
