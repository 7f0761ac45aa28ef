import { Args, Flags } from '@oclif/core';
import { CairnCommand } from '../../cli/base-command.js';
import { keystoreOf, nodeApiFlags } from '../../cli/flags.js';
import { nodeClient } from '../../cli/node-client.js';
import { ConfigError, HASH_RE, parseUntrustedJson, type Keystore } from '../../kernel/index.js';

const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** `k=KEY`: the public key of KEY, a key name in the keystore (or a public key as such). */
export function parseKeyArgs(pairs: readonly string[], keystore: Keystore): Record<string, string> {
  const args: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq) : '';
    const value = pair.slice(eq + 1);
    if (!ARG_NAME.test(key) || value === '')
      throw new ConfigError('CONFIG_INVALID', `--key-arg expects NAME=KEY (e.g. --key-arg author=alice), not '${pair}'`);
    args[key] = HASH_RE.test(value) ? value : keystore.get(value).publicKey;
  }
  return args;
}

/** `k=v`; a value that parses as JSON (5, true, null, [1]) is sent as that value, anything else as text. */
export function parseQueryArgs(pairs: readonly string[]): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq) : '';
    if (!ARG_NAME.test(key)) throw new ConfigError('CONFIG_INVALID', `--arg expects NAME=VALUE (e.g. --arg limit=5), not '${pair}'`);
    const text = pair.slice(eq + 1);
    let value: unknown = text;
    try {
      value = parseUntrustedJson(text);
    } catch {
      // plain text (too deep to be JSON for the node, too)
    }
    args[key] = value;
  }
  return args;
}

export default class AppQuery extends CairnCommand {
  static override summary = "Run a chain app's query on a running node.";
  static override description =
    'Asks the node API (started with `cairn node start --api-port` or `cairn devnet`) for the result of one query on its best chain, and prints it as JSON. `GET /apps` lists the apps and their queries.';
  static override examples = [
    '<%= config.bin %> app query guestbook count --data-dir /tmp/node1',
    '<%= config.bin %> app query guestbook entries --arg limit=5 --node http://127.0.0.1:8080',
    '<%= config.bin %> app query voting tally --arg election=default',
    '<%= config.bin %> app query voting receipt --arg election=default --key-arg voter=alice',
  ];

  static override args = {
    app: Args.string({ description: 'Id of the app.', required: true }),
    query: Args.string({ description: 'Name of the query.', required: true }),
  };

  static override flags = {
    arg: Flags.string({
      summary: 'A query argument, NAME=VALUE; VALUE is read as JSON when it parses. Repeatable.',
      multiple: true,
      multipleNonGreedy: true,
    }),
    'key-arg': Flags.string({
      summary: 'A query argument that is a public key, NAME=KEY: KEY is a key name in your keystore, or a public key. Repeatable.',
      multiple: true,
      multipleNonGreedy: true,
    }),
    ...nodeApiFlags,
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(AppQuery);
    const queryArgs = { ...parseQueryArgs(flags.arg ?? []), ...parseKeyArgs(flags['key-arg'] ?? [], keystoreOf(flags)) };
    const client = await nodeClient(flags);
    const result = await client.query(args.app, args.query, queryArgs);
    if (!this.jsonEnabled()) this.log(JSON.stringify(result, null, 2));
    return result;
  }
}
