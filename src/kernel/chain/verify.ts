import { headerHash } from '../block.js';
import type { ChainApp } from '../app.js';
import type { BlockRules } from './block-rules.js';
import type { BlockTree } from './block-tree.js';
import type { ChainStore } from '../store/index.js';
import { BlockRejection, CairnError, TxRejection } from '../errors.js';
import { genesisBlock, type ChainParams } from '../params.js';
import type { Clock } from '../services.js';
import { StateOverlay, type BaseState, type StateLayer } from '../state.js';
import { TX_INDEX_APP, type TxRules } from '../tx/index.js';
import { txId } from '../tx/index.js';

export type VerifyResult =
  { ok: true; height: number; tip: string } | { ok: false; height: number; hash: string; code: string; message: string };

/** What a replay judges by: the engine's tree, rules and chain settings. */
export interface VerifiedChain {
  readonly tree: BlockTree;
  readonly rules: BlockRules;
  readonly txRules: TxRules;
  readonly params: ChainParams;
  readonly apps: readonly ChainApp[];
  readonly chainId: string;
}

const EMPTY: StateLayer = { getRaw: () => undefined, keys: () => [] };

/**
 * Re-validates the stored best chain from genesis, as the original's `verify_chain` did, but
 * through the same pipeline that admitted each block, replaying app state from scratch; the
 * replayed state must equal the stored one, which also proves undo and persistence right.
 */
export async function verifyStoredChain(chain: VerifiedChain, cs: ChainStore, stored: BaseState, clock: Clock): Promise<VerifyResult> {
  const tree = chain.tree;
  const height = tree.height();
  const replay = new StateOverlay(EMPTY);
  const fail = (h: number, hash: string, code: string, message: string): VerifyResult => ({ ok: false, height: h, hash, code, message });

  const genesis = genesisBlock(chain.params);
  const genesisHash = tree.hashAt(0)!;
  if (headerHash(genesis.header) !== genesisHash)
    return fail(0, genesisHash, 'GENESIS_MISMATCH', 'the stored genesis does not match the chain parameters');
  for (const app of chain.apps) {
    for (const [k, v] of Object.entries(app.genesis?.(chain.params.appParams[app.id]) ?? {})) replay.setRaw(app.id, k, JSON.stringify(v));
  }

  for (let h = 1; h <= height; h++) {
    const hash = tree.hashAt(h)!;
    const block = await cs.block(hash);
    if (!block) return fail(h, hash, 'STORE_DAMAGED', 'the block body is missing from the store');
    try {
      chain.rules.structure(block);
      const actual = chain.rules.checkSeal(block);
      if (actual !== hash)
        return fail(h, hash, 'BLOCK_HASH_MISMATCH', `the stored block hashes to ${actual.slice(0, 12)}, not to its index entry`);
      const parent = tree.get(block.header.prev);
      if (!parent || tree.hashAt(h - 1) !== block.header.prev)
        return fail(h, hash, 'BLOCK_BAD_LINK', 'the block does not link to the previous block of the chain');
      chain.rules.link(block, parent);
      chain.rules.timestamp(block, tree.medianTimePast(parent), clock.now());
      chain.rules.transactions(block);
      const blockLayer = new StateOverlay(replay);
      block.txs.forEach((tx, i) => {
        try {
          chain.txRules.apply(blockLayer, tx, txId(chain.chainId, tx), { height: h, time: block.header.time, blockHash: hash });
        } catch (err) {
          if (err instanceof TxRejection)
            throw new BlockRejection('BLOCK_BAD_TX', `transaction ${i} is invalid: ${err.message}`, { txCode: err.code });
          throw err;
        }
      });
      blockLayer.mergeInto(replay);
    } catch (err) {
      if (err instanceof CairnError) return fail(h, hash, err.code, err.message);
      throw err;
    }
  }

  const tipHash = tree.hashAt(height)!;
  const replayed = new Map<string, string>();
  for (const [app, k, v] of replay.changed()) if (v !== null) replayed.set(`${app}\u0000${k}`, v);
  let storedCount = 0;
  for (const [app, k, v] of stored.all()) {
    storedCount++;
    if (replayed.get(`${app}\u0000${k}`) !== v) {
      const what = app === TX_INDEX_APP ? 'transaction index' : `state of app '${app}' at key '${k}'`;
      return fail(height, tipHash, 'STATE_MISMATCH', `the stored ${what} differs from a replay of the chain`);
    }
  }
  if (storedCount !== replayed.size)
    return fail(height, tipHash, 'STATE_MISMATCH', 'the stored app state has a different number of entries than a replay of the chain');
  return { ok: true, height, tip: tipHash };
}
