import { Args } from '@oclif/core';
import { CairnCommand } from '../../cli/base-command.js';
import { keystoreOf } from '../../cli/flags.js';

export default class KeysNew extends CairnCommand {
  static override summary = 'Create an Ed25519 key pair in the keystore.';
  static override description =
    'The key is written to NAME.json in your keystore (--keystore, default $CAIRN_HOME/keys or ~/.cairn/keys), readable by its owner only, and serves every data dir. An existing key is never replaced.';
  static override examples = ['<%= config.bin %> keys new alice', '<%= config.bin %> keys new alice --keystore /tmp/cairn-keys --json'];

  static override args = {
    name: Args.string({ description: 'Name of the key: 1 to 64 letters, digits, ".", "_" or "-".', required: true }),
  };

  async run(): Promise<{ name: string; publicKey: string; created: string; file: string }> {
    const { args, flags } = await this.parse(KeysNew);
    const keystore = keystoreOf(flags);
    const key = keystore.create(args.name);
    const file = keystore.file(key.name);
    this.log(`created key ${key.name}: ${key.publicKey}`);
    this.log(`stored in ${file}`);
    return { name: key.name, publicKey: key.publicKey, created: key.created, file };
  }
}
