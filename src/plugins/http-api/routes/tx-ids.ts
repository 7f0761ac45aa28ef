import { txId, type Block } from '../../../kernel/index.js';

/** Blocks whose ids are kept: a few pages of `GET /blocks` and every block a waiting client polls. */
const KEPT_BLOCKS = 256;

/**
 * The transaction ids of a block, by block hash. A hash names one content, so the ids never
 * change; computing them hashes every transaction, and `GET /tx/:id` is polled once a second
 * (and at every block) by each client waiting for its confirmations, so each block is hashed
 * once, not once per poll. Least recently used blocks give way.
 */
export class TxIdCache {
  private readonly ids = new Map<string, string[]>();

  constructor(private readonly chainId: string) {}

  of(hash: string, block: Block): string[] {
    let ids = this.ids.get(hash);
    if (ids) {
      this.ids.delete(hash);
    } else {
      ids = block.txs.map((tx) => txId(this.chainId, tx));
      if (this.ids.size >= KEPT_BLOCKS) this.ids.delete(this.ids.keys().next().value!);
    }
    this.ids.set(hash, ids);
    return ids;
  }
}
