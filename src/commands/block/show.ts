import { Args } from '@oclif/core';
import { CairnCommand } from '../../cli/base-command.js';
import { nodeApiFlags } from '../../cli/flags.js';
import { nodeClient } from '../../cli/node-client.js';
import { confirmations } from '../../cli/tx/progress-line.js';
import { ConfigError, HASH_RE } from '../../kernel/index.js';

export interface BlockShown {
  height: number;
  hash: string;
  /** Milliseconds since the epoch, as the header holds it. */
  time: number;
  target: string;
  onBestChain: boolean;
  /** Blocks on top of and including this one on the best chain; null off it. */
  confirmations: number | null;
  txs: Array<{ id: string; app: string; type: string; from: string }>;
}

const MAX_HEIGHT = 0xffff_ffff;

export default class BlockShow extends CairnCommand {
  static override summary = 'Show a block of a running node, by height on its best chain or by hash.';
  static override description =
    "Asks the node's API (the node of --data-dir, or --node), so it works while the node runs: height, hash, time, target, whether it is on the best chain and with how many confirmations, and its transactions. A height above the tip says where the tip is; an unknown hash is BLOCK_UNKNOWN; both exit 1.";
  static override examples = [
    '<%= config.bin %> block show 12',
    '<%= config.bin %> block show 0 --json',
    '<%= config.bin %> block show 00a3c91e7b5d2f4a6c8e0b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a --node http://127.0.0.1:8080',
  ];

  static override args = { block: Args.string({ description: 'Height (on the best chain) or hash (64 hex digits).', required: true }) };
  static override flags = { ...nodeApiFlags };

  async run(): Promise<BlockShown> {
    const { args, flags } = await this.parse(BlockShow);
    const id = blockId(args.block);
    const api = await nodeClient(flags);
    const block = await api.block(id);
    const tip = (await api.status()).height;
    const { header } = block;
    const shown: BlockShown = {
      height: header.height,
      hash: block.hash,
      time: header.time,
      target: header.target,
      onBestChain: block.onBestChain,
      confirmations: block.onBestChain ? Math.max(1, tip - header.height + 1) : null,
      txs: block.txs.map((tx, i) => ({ id: block.txIds[i]!, app: tx.app, type: tx.type, from: tx.from })),
    };
    if (!this.jsonEnabled()) {
      this.log(`block ${shown.height}`);
      this.log(`hash:         ${shown.hash}`);
      this.log(`time:         ${new Date(shown.time).toISOString()}`);
      this.log(`target:       ${shown.target}`);
      this.log(`best chain:   ${shown.confirmations === null ? 'no (a side branch)' : `yes, with ${confirmations(shown.confirmations)}`}`);
      this.log(`transactions: ${shown.txs.length}`);
      for (const tx of shown.txs) this.log(`  ${tx.id}  ${tx.app} ${tx.type}  signed by ${tx.from}`);
    }
    return shown;
  }
}

function blockId(text: string): string | number {
  if (HASH_RE.test(text)) return text;
  if (/^\d{1,10}$/.test(text) && Number(text) <= MAX_HEIGHT) return Number(text);
  throw new ConfigError('BLOCK_BAD_ID', `'${text}' is neither a block height (a whole number) nor a block hash (64 lowercase hex digits)`);
}
