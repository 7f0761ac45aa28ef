import { CairnCommand } from '../../cli/base-command.js';
import { chainSelectionFlags } from '../../cli/flags.js';
import { openChainReader, shortHash } from '../../cli/node-assembly.js';
import { runningNodeOf } from '../../cli/running-node.js';
import { StoreError } from '../../kernel/index.js';
import type { VerifyResult } from '../../kernel/index.js';

export default class ChainVerify extends CairnCommand {
  static override summary = 'Re-validate the whole stored chain from genesis.';
  static override description =
    'Every block of the best chain goes through the validation pipeline again and app state is replayed from genesis; it must equal the stored state. Says which block fails and why, and exits 1 if one does.';
  static override examples = ['<%= config.bin %> chain verify', '<%= config.bin %> chain verify --data-dir /tmp/cairn-demo --json'];

  static override flags = { ...chainSelectionFlags };

  async run(): Promise<VerifyResult> {
    const { flags } = await this.parse(ChainVerify);
    const running = await runningNodeOf(flags['data-dir'], 'cairn chain verify');
    // Verifying replays the store itself, which the running node holds; it checked each block as it stored it.
    if (running)
      throw new StoreError(
        'STORE_LOCKED',
        `a node runs on ${flags['data-dir']} (API ${running.url}) and holds its store, which it validated block by block as it stored them; stop it to verify the store again from genesis, or read the chain while it runs with \`cairn chain show\``,
      );
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
