import { Args, Flags } from '@oclif/core';
import { verifyElectionRecord, type ElectionRecordFile, type RecordCounts, type RecordVerdict } from '../../apps/voting/index.js';
import { CairnCommand } from '../../cli/base-command.js';
import { nodeApiFlags } from '../../cli/flags.js';
import type { NodeClientFlags } from '../../cli/node-client.js';
import { votingClientFromFlags } from '../../cli/voting/connect.js';
import { isFile, readRecordFile } from '../../cli/voting/record-file.js';
import { notSecretSentence } from '../../cli/voting/refusal.js';
import { SecretElectionClient } from '../../cli/voting/secret-client.js';
import { checkElectionId } from '../../cli/voting/voting-client.js';
import { CairnError, ConfigError } from '../../kernel/index.js';

/** `chain`: whether the record was compared with a node's chain, and what that found. */
export type VerifyResult = RecordVerdict & { source: string; chain: { checked: false } | { checked: true; node: string; height: number } };

export default class ElectionVerify extends CairnCommand {
  static override summary = 'Re-check a secret election from its record: every signature, proof, sum, decryption and the result.';
  static override description =
    "The argument is a record file (from `cairn election record`) when a file of that name exists, else an election id whose record is fetched from the node. The record's transactions are replayed through the rules every node runs, and the key, sums and result it claims are compared with what they give. Prints what was checked and the result; or names the first check that fails, and the transaction, and exits 1.";
  static override examples = ['<%= config.bin %> election verify board.json', '<%= config.bin %> election verify board --json'];

  static override args = { record: Args.string({ description: 'A record file, or an election id.', required: true }) };

  static override flags = {
    ...nodeApiFlags,
    offline: Flags.boolean({
      summary:
        "Check the record alone, without a node: that its transactions give what it claims, not that they are the chain's (a record made up from scratch passes this).",
    }),
  };

  async run(): Promise<VerifyResult> {
    const { args, flags } = await this.parse(ElectionVerify);
    const fromFile = isFile(args.record);
    if (!fromFile && flags.offline)
      throw new ConfigError('CONFIG_INVALID', `--offline checks a record file, and there is no file '${args.record}'`);
    const client = flags.offline ? undefined : await nodeForChainCheck(flags);
    let record: ElectionRecordFile;
    if (fromFile) record = readRecordFile(args.record);
    else {
      const id = checkElectionId(args.record);
      record = await client!.record(id).catch(notSecretSentence(id));
    }
    const source = fromFile ? args.record : `election ${args.record} from the node`;
    const verdict = verify(record, source);
    if (!verdict.ok && verdict.check === 'format')
      throw new ConfigError('RECORD_FORMAT', `${source} is not an election record: ${verdict.message}`);
    this.log(`checked ${source}${verdict.ok ? '' : ' up to the failure'}: ${describeCounts(verdict.counts)}`);
    let chain: VerifyResult['chain'] = { checked: false };
    if (verdict.ok && client) {
      const anchor = await client.anchor(record);
      if (!anchor.ok)
        return this.failed({ ...verdict, ok: false, check: 'chain', code: anchor.code, message: anchor.message }, source, chain);
      chain = { checked: true, node: client.voting.api.url, height: anchor.height };
    }
    if (verdict.ok) {
      const open = record.transactions[0]!;
      this.log(
        `election ${verdict.election} of chain ${record.chainId.slice(0, 12)}…, opened by key ${open.tx.from.slice(0, 12)}… in block ${open.height}`,
      );
      this.log('every signature, proof, sum and decryption holds, and the claimed key, sums and result are the ones they give');
      const result = verdict.result;
      if (!result) this.log(`result: not decrypted yet (election ${verdict.election})`);
      else
        this.log(
          `result of election ${verdict.election}: ${verdict.choices.map((c, i) => `${c} ${result.counts[i]}`).join(', ')} (decrypted by trustees ${result.trustees.join(', ')})`,
        );
      this.log(
        chain.checked
          ? `compared with the node at ${chain.node} (height ${chain.height}): same chain, the record's first and last transactions are in its blocks, and its key, sums and result are the record's`
          : "offline: the record was not compared with a chain, so this does not show it is the chain's election (drop --offline to compare it with a node)",
      );
      return { ...verdict, source, chain };
    }
    return this.failed(verdict, source, chain);
  }

  private failed(verdict: RecordVerdict & { ok: false }, source: string, chain: VerifyResult['chain']): VerifyResult {
    const where = verdict.transaction === undefined ? '' : ` at transaction ${verdict.transaction}`;
    const sentence = `the record fails the '${verdict.check}' check${where}: ${verdict.message}`;
    if (this.jsonEnabled()) {
      process.exitCode = 1;
      return { ...verdict, source, chain };
    }
    throw new CairnError(verdict.code, sentence);
  }
}

/** The node to compare the record with; one that does not answer is a sentence that offers --offline. */
async function nodeForChainCheck(flags: NodeClientFlags & { keystore?: string }): Promise<SecretElectionClient> {
  try {
    const client = new SecretElectionClient(await votingClientFromFlags(flags));
    await client.voting.status();
    return client;
  } catch (err) {
    if (!(err instanceof CairnError)) throw err;
    throw new CairnError(
      err.code,
      `${err.message.replace(/\.$/, '')}; a record is compared with a node's chain to show it is that chain's election (--offline checks the record alone)`,
    );
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
