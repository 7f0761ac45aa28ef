import { CairnCommand } from '../../cli/base-command.js';
import { chainSelectionFlags, integerFlag } from '../../cli/flags.js';
import { difficultyBits, openChainReader, shortHash } from '../../cli/node-assembly.js';
import { runningNodeOf } from '../../cli/running-node.js';
import { ConfigError, type Block } from '../../kernel/index.js';
import type { ApiClient } from '../../plugins/http-api/index.js';

export interface ShownBlock extends Block {
  hash: string;
  height: number;
}

export default class ChainShow extends CairnCommand {
  static override summary = 'Print the blocks of the best chain stored in the data dir.';
  static override description =
    'Reads the store of the data dir; while a node runs on it (and holds the store), asks that node through its API instead.';
  static override examples = ['<%= config.bin %> chain show', '<%= config.bin %> chain show --from 100 --limit 10 --json'];

  static override flags = {
    from: integerFlag({ summary: 'First height to show. [default: 0]' }),
    limit: integerFlag({ summary: 'Most blocks to show. [default: 100]' }),
    ...chainSelectionFlags,
  };

  async run(): Promise<ShownBlock[]> {
    const { flags } = await this.parse(ChainShow);
    const from = flags.from ?? 0;
    const limit = flags.limit ?? 100;
    if (from < 0) throw new ConfigError('CONFIG_INVALID', '--from must be a height of 0 or more');
    if (limit < 1) throw new ConfigError('CONFIG_INVALID', '--limit must be 1 or more');

    const running = await runningNodeOf(flags['data-dir'], 'cairn chain show');
    const { blocks, tipHeight } = running ? await fromRunningNode(running, from, limit) : await fromStore(flags, from, limit);
    if (running && !this.jsonEnabled()) this.log(`(a node runs on this data dir: read from it at ${running.url})`);

    if (!this.jsonEnabled()) {
      if (blocks.length === 0) this.log(`no blocks from height ${from}: the tip is at height ${tipHeight}`);
      else this.log(`HEIGHT  HASH          TIME                      TXS  DIFFICULTY`);
      for (const b of blocks) {
        const time = new Date(b.header.time).toISOString();
        this.log(
          `${String(b.height).padStart(6)}  ${shortHash(b.hash)}  ${time}  ${String(b.txs.length).padStart(3)}  ${difficultyBits(b.header.target).toFixed(1)} bits`,
        );
      }
      const shownTo = blocks.length > 0 ? blocks[blocks.length - 1]!.height : from - 1;
      if (shownTo < tipHeight) this.log(`(${tipHeight - shownTo} more up to the tip at height ${tipHeight}: use --from ${shownTo + 1})`);
    }
    return blocks;
  }
}

interface Shown {
  blocks: ShownBlock[];
  tipHeight: number;
}

async function fromStore(flags: Parameters<typeof openChainReader>[0], from: number, limit: number): Promise<Shown> {
  const { node } = await openChainReader(flags);
  const blocks: ShownBlock[] = [];
  try {
    const tip = node.chain.tip();
    for (let h = from; h <= tip.height && blocks.length < limit; h++) {
      const hash = node.reader.hashAt(h)!;
      const block = await node.chain.block(hash);
      if (block) blocks.push({ height: h, hash, ...block });
    }
    return { blocks, tipHeight: tip.height };
  } finally {
    await node.stop();
  }
}

/** The same rows from the node's API: the page of summaries, then each block in full. */
async function fromRunningNode(api: ApiClient, from: number, limit: number): Promise<Shown> {
  const blocks: ShownBlock[] = [];
  let tipHeight = -1;
  for (let next = from; blocks.length < limit;) {
    const page = await api.blocks(next, Math.min(100, limit - blocks.length));
    tipHeight = page.height;
    if (page.blocks.length === 0) break;
    for (const summary of page.blocks) {
      const { header, txs } = await api.block(summary.hash);
      blocks.push({ height: summary.height, hash: summary.hash, header, txs });
    }
    next = page.blocks[page.blocks.length - 1]!.height + 1;
  }
  return { blocks, tipHeight };
}
