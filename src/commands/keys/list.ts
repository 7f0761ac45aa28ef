import { CairnCommand } from '../../cli/base-command.js';
import { keystoreOf } from '../../cli/flags.js';
import type { KeyInfo } from '../../kernel/index.js';

export default class KeysList extends CairnCommand {
  static override summary = 'List the keys in the keystore: names and public keys.';
  static override examples = ['<%= config.bin %> keys list', '<%= config.bin %> keys list --json'];

  async run(): Promise<KeyInfo[]> {
    const { flags } = await this.parse(KeysList);
    const keystore = keystoreOf(flags);
    const keys = keystore.list();
    if (keys.length === 0) this.log(`no keys in ${keystore.dir}`);
    const width = Math.max(4, ...keys.map((k) => k.name.length));
    if (keys.length > 0) this.log(`${'NAME'.padEnd(width)}  PUBLIC KEY`);
    for (const key of keys) this.log(`${key.name.padEnd(width)}  ${key.publicKey}`);
    return keys;
  }
}
