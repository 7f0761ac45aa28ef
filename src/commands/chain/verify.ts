import { CairnCommand } from '../../cli/base-command.js';
import { chainSelectionFlags } from '../../cli/flags.js';
import { openChainReader, shortHash } from '../../cli/node-assembly.js';
import type { VerifyResult } from '../../kernel/index.js';

export default class ChainVerify extends CairnCommand {
  static override summary = 'Re-validate the whole stored chain from genesis.';
  static override description =
    'Every block of the best chain goes through the validation pipeline again and app state is replayed from genesis; it must equal the stored state. Says which block fails and why, and exits 1 if one does.';
  static override examples = ['<%= config.bin %> chain verify', '<%= config.bin %> chain verify --data-dir /tmp/cairn-demo --json'];

  static override flags = { ...chainSelectionFlags };

  async run(): Promise<VerifyResult> {
    const { flags } = await this.parse(ChainVerify);
    const assembled = await openChainReader(flags);
    let result: VerifyResult;
    try {
      result = await assembled.node.chain.verify();
    } finally {
      await assembled.node.stop();
    }
    if (result.ok) {
      this.log(`chain verified: ${result.height} blocks after genesis, tip ${shortHash(result.tip)}`);
      return result;
    }
    if (this.jsonEnabled()) this.logJson(result);
    else
      process.stderr.write(`chain invalid: block ${result.height} (${shortHash(result.hash)}) fails: ${result.message} (${result.code})\n`);
    process.exitCode = 1;
    return this.exit(1);
  }
}
