import { CairnCommand } from '../../cli/base-command.js';
import { keystoreOf } from '../../cli/flags.js';
import type { KeyInfo } from '../../kernel/index.js';

export default class KeysList extends CairnCommand {
  static override summary = 'List the keys in the keystore: names and public keys.';
  static override examples = ['<%= config.bin %> keys list', '<%= config.bin %> keys list --json'];

  async run(): Promise<KeyInfo[]> {
    const { flags } = await this.parse(KeysList);
    const keystore = keystoreOf(flags);
    // One line per skipped file on stderr, not oclif's wrapped warning box.
    const keys = keystore.list((file, why) => process.stderr.write(`skipped ${file}: ${why}\n`));
    if (keys.length === 0) this.log(`no keys in ${keystore.dir}`);
    const width = Math.max(4, ...keys.map((k) => k.name.length));
    if (keys.length > 0) this.log(`${'NAME'.padEnd(width)}  PUBLIC KEY`);
    for (const key of keys) this.log(`${key.name.padEnd(width)}  ${key.publicKey}`);
    return keys;
  }
}
