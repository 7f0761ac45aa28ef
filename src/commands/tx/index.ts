import { Args, Flags } from '@oclif/core';
import { CairnCommand } from '../../cli/base-command.js';
import { keystoreOf, nodeApiFlags } from '../../cli/flags.js';
import { nodeClient } from '../../cli/node-client.js';
import { findApp, flagsOf, listingLines, typeListings, unknownType, type TypeListing } from '../../cli/tx/app-types.js';
import { parsePayload, payloadJson, shortened } from '../../cli/tx/payload-flags.js';
import { ProgressLine } from '../../cli/tx/progress-line.js';
import { splitArgv, type OwnFlag } from '../../cli/tx/split-argv.js';
import { submissionResult, TxClient, type SubmissionResult } from '../../cli/tx/tx-client.js';
import { waitFlags, waitTimeoutMs } from '../../cli/tx/wait-flags.js';
import { ConfigError } from '../../kernel/index.js';

export interface TxResult extends SubmissionResult {
  app: string;
  type: string;
  /** Public key of the signer. */
  from: string;
}

export interface TxListingResult {
  app: string;
  txTypes: TypeListing[];
}

export default class Tx extends CairnCommand {
  static override summary = "Submit any app's transaction, its payload given as flags.";
  static override description =
    "The payload flags come from the transaction type's JSON Schema on the node (`GET /apps`): --NAME TEXT for a string, a number for number/integer, --NAME/--no-NAME for a boolean, one of the allowed values for an enum, the flag once per item for an array, JSON text for anything else. APP and TYPE come first. `cairn tx APP` lists the app's types and their flags. --payload JSON gives the whole payload (also for a property named like one of cairn's flags). Waits until the transaction is counted in a block of the node's best chain, or prints why it was refused and exits 1.";
  static override examples = [
    '<%= config.bin %> tx guestbook',
    '<%= config.bin %> tx guestbook sign --message "hello, chain" --key alice',
    '<%= config.bin %> tx guestbook erase --key alice --confirmations 2 --json',
    '<%= config.bin %> tx voting ballot.cast --payload \'{"election":"default","choice":"tea"}\' --key bob --no-wait',
  ];
  static override usage = 'tx APP [TYPE] [--PROPERTY VALUE...] [--key NAME] [--payload JSON] [--no-wait] [--confirmations N] [--node URL]';
  // The payload flags are known only once the node has said what the type's schema is.
  static override strict = false;

  static override args = {
    app: Args.string({ description: 'Id of the app, e.g. guestbook.', required: true }),
    type: Args.string({ description: 'Transaction type; none lists the app’s types and their flags.' }),
  };

  static override flags = {
    key: Flags.string({
      summary: 'Name of the signing key in your keystore; a new name gets a key, kept once the node accepts the transaction.',
      default: 'default',
      helpValue: 'NAME',
    }),
    payload: Flags.string({
      summary: 'The whole payload as a JSON object; payload flags add to it and replace its properties.',
      helpValue: 'JSON',
    }),
    ...waitFlags,
    ...nodeApiFlags,
  };

  async run(): Promise<TxResult | TxListingResult> {
    const own = this.ownFlags();
    const words = splitArgv(this.argv, own);
    const { args, flags } = await this.parse(Tx, [...words.positionals, ...words.own]);
    const reserved = new Set(own.keys());
    const api = await nodeClient(flags);
    const app = findApp((await api.apps()).apps, args.app);

    if (args.type === undefined || !app.txTypes.includes(args.type)) {
      if (!this.jsonEnabled()) for (const line of listingLines(this.config.bin, app, reserved)) this.log(line);
      if (args.type !== undefined) throw unknownType(app, args.type);
      return { app: app.id, txTypes: typeListings(app, reserved) };
    }

    const type = args.type;
    const command = `${this.config.bin} tx ${app.id} ${type}`;
    const payload = parsePayload(words.payload, flagsOf(app, type, reserved), {
      command,
      ownFlags: [...own.keys()].map((name) => `--${name}`),
      base: basePayload(flags.payload),
    });

    const client = new TxClient(api, keystoreOf(flags));
    const progress = this.jsonEnabled() ? undefined : new ProgressLine(process.stdout, 'transaction');
    try {
      const submitted = await client.submit({ app: app.id, type, payload }, flags.key, {
        wait: flags.wait,
        timeoutMs: waitTimeoutMs(flags.timeout),
        confirmations: flags.confirmations,
        onProgress: progress?.update,
      });
      progress?.end();
      if (!this.jsonEnabled()) {
        this.log(`transaction ${submitted.txId}`);
        if (!flags.wait) this.log(`not waiting: check with ${this.config.bin} tx show ${submitted.txId}`);
      }
      return {
        app: app.id,
        type,
        from: submitted.from,
        ...submissionResult(submitted),
      };
    } finally {
      progress?.end();
    }
  }

  /** This command's own flags (and oclif's --json and --help), which payload properties cannot be named. */
  private ownFlags(): Map<string, OwnFlag> {
    const own = new Map<string, OwnFlag>([
      ['json', { takesValue: false, allowNo: false }],
      ['help', { takesValue: false, allowNo: false }],
    ]);
    for (const [name, flag] of Object.entries({ ...Tx.baseFlags, ...Tx.flags })) {
      own.set(name, { takesValue: flag.type !== 'boolean', allowNo: flag.type === 'boolean' && flag.allowNo === true });
    }
    return own;
  }
}

function basePayload(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  const value = payloadJson(text, '--payload', `a JSON object, e.g. '{"message":"hi"}'`);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigError('TX_FLAG_INVALID', `--payload expects a JSON object, e.g. '{"message":"hi"}', not '${shortened(text)}'`);
  return value as Record<string, unknown>;
}
