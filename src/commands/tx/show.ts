import { Args } from '@oclif/core';
import { CairnCommand } from '../../cli/base-command.js';
import { nodeApiFlags } from '../../cli/flags.js';
import { nodeClient } from '../../cli/node-client.js';
import { confirmations } from '../../cli/tx/progress-line.js';
import { ConfigError, HASH_RE } from '../../kernel/index.js';
import type { TxSummary } from '../../plugins/http-api/index.js';

export type TxShown = TxSummary & { txId: string } & (
    { status: 'pending' } | { status: 'confirmed'; height: number; blockHash: string; confirmations: number }
  );

export default class TxShow extends CairnCommand {
  static override summary = 'Show a transaction a running node holds: pending, or in which block of its best chain.';
  static override description =
    "Asks the node's API (the node of --data-dir, or --node), so it works while the node runs. An id the node has neither in its mempool nor on its best chain is one sentence (TX_UNKNOWN) and exit 1.";
  static override examples = [
    '<%= config.bin %> tx show 5d0e7a21c4b9f3e8a6d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0',
    '<%= config.bin %> tx show $(cairn tx guestbook erase --no-wait --json | jq -r .txId) --json',
  ];

  static override args = { id: Args.string({ description: 'Transaction id, 64 hex digits.', required: true }) };
  static override flags = { ...nodeApiFlags };

  async run(): Promise<TxShown> {
    const { args, flags } = await this.parse(TxShow);
    if (!HASH_RE.test(args.id)) throw new ConfigError('TX_BAD_ID', `'${args.id}' is not a transaction id: ids are 64 lowercase hex digits`);
    const api = await nodeClient(flags);
    const status = await api.txStatus(args.id);
    const { tx, ...where } = status;
    const shown = { txId: args.id, ...where, ...tx } as TxShown;
    if (!this.jsonEnabled()) {
      this.log(`transaction ${args.id}`);
      this.log(
        `status:  ${
          status.status === 'pending'
            ? 'pending (in the mempool, waiting for a block)'
            : `in block ${status.height} (hash ${status.blockHash}) with ${confirmations(status.confirmations)} on the best chain`
        }`,
      );
      this.log(`app:     ${tx.app}`);
      this.log(`type:    ${tx.type}`);
      this.log(`signer:  ${tx.from}`);
      this.log(`payload: ${JSON.stringify(tx.payload)}`);
    }
    return shown;
  }
}
