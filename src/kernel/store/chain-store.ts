import type { Block, BlockHeader } from '../block.js';
import { damagedStore } from '../errors.js';
import type { Store, StoreOp } from '../services.js';
import type { UndoEntry } from '../state.js';
import type { Tx } from '../tx/index.js';

/**
 * The kernel's key layout in a Store. One letter per record kind keeps prefixes short and
 * iteration cheap:
 *   meta            {format, chainId}
 *   H:<hash>        block index entry: header, total work, validity
 *   b:<hash>        block body (header + transactions)
 *   u:<hash>        undo data of a block on the best chain
 *   h:<height>      best-chain hash at a height (zero-padded so keys sort by height)
 *   tip             best tip hash
 *   s:<app>\0<key>  app state at the tip (JSON)
 *   m:<txid>        mempool transaction
 *   ~probe          a write that proves the disk has room again after a full disk; deleted at once
 */
export const STORE_FORMAT = 1;

export type EntryStatus = 'valid' | 'unchecked' | 'invalid';

export interface StoredEntry {
  header: BlockHeader;
  work: string;
  status: EntryStatus;
}

export const key = {
  meta: 'meta',
  tip: 'tip',
  entry: (hash: string) => `H:${hash}`,
  block: (hash: string) => `b:${hash}`,
  undo: (hash: string) => `u:${hash}`,
  height: (height: number) => `h:${String(height).padStart(10, '0')}`,
  state: (app: string, k: string) => `s:${app}\u0000${k}`,
  mempool: (id: string) => `m:${id}`,
  probe: '~probe',
};

export const put = (k: string, value: unknown): StoreOp => ({ type: 'put', key: k, value: JSON.stringify(value) });
/** State values are JSON text already. */
export const putRaw = (k: string, text: string): StoreOp => ({ type: 'put', key: k, value: text });
export const del = (k: string): StoreOp => ({ type: 'del', key: k });

/** Typed reads of the kernel's records; a record that fails to parse means a damaged store. */
export class ChainStore {
  constructor(readonly store: Store) {}

  async json<T>(k: string): Promise<T | undefined> {
    const raw = await this.store.get(k);
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(raw) as T;
    } catch {
      throw damagedStore(this.store.location, `an unreadable record '${k.slice(0, 80)}'`);
    }
  }

  block(hash: string): Promise<Block | undefined> {
    return this.json<Block>(key.block(hash));
  }

  undo(hash: string): Promise<UndoEntry[] | undefined> {
    return this.json<UndoEntry[]>(key.undo(hash));
  }

  async *scan<T>(prefix: string): AsyncIterable<[string, T]> {
    for await (const [k, raw] of this.store.iterate(prefix)) {
      let value: T;
      try {
        value = JSON.parse(raw) as T;
      } catch {
        throw damagedStore(this.store.location, `an unreadable record '${k.slice(0, 80)}'`);
      }
      yield [k.slice(prefix.length), value];
    }
  }

  /** State records: `s:` + app + NUL + key, raw JSON text. */
  async *states(): AsyncIterable<[string, string, string]> {
    for await (const [k, raw] of this.store.iterate('s:')) {
      const sep = k.indexOf('\u0000');
      if (sep < 0) throw damagedStore(this.store.location, 'a malformed state key');
      yield [k.slice(2, sep), k.slice(sep + 1), raw];
    }
  }

  async mempool(): Promise<Tx[]> {
    const txs: Tx[] = [];
    for await (const [, tx] of this.scan<Tx>('m:')) txs.push(tx);
    return txs;
  }
}
