import { Args } from '@oclif/core';
import path from 'node:path';
import { CairnCommand } from '../../cli/base-command.js';
import { Keystore } from '../../kernel/index.js';

export default class KeysNew extends CairnCommand {
  static override summary = 'Create an Ed25519 key pair in the keystore.';
  static override description =
    'The key is written to <data-dir>/keys/NAME.json, readable by its owner only. An existing key is never replaced.';
  static override examples = ['<%= config.bin %> keys new alice', '<%= config.bin %> keys new alice --data-dir /tmp/cairn --json'];

  static override args = {
    name: Args.string({ description: 'Name of the key: 1 to 64 letters, digits, ".", "_" or "-".', required: true }),
  };

  async run(): Promise<{ name: string; publicKey: string; created: string; file: string }> {
    const { args, flags } = await this.parse(KeysNew);
    const keystore = new Keystore(flags['data-dir']);
    const key = keystore.create(args.name);
    const file = path.join(keystore.dir, `${key.name}.json`);
    this.log(`created key ${key.name}: ${key.publicKey}`);
    this.log(`stored in ${file}`);
    return { name: key.name, publicKey: key.publicKey, created: key.created, file };
  }
}
