import type { ChainApp } from '../app.js';
import { headerHash } from '../block.js';
import { damagedStore, StoreError } from '../errors.js';
import { genesisBlock, type ChainParams } from '../params.js';
import type { Consensus, StoreOp } from '../services.js';
import type { BaseState } from '../state.js';
import { ChainStore, key, put, putRaw, STORE_FORMAT, type StoredEntry, type StoreHealth } from '../store/index.js';
import type { BlockTree, TreeEntry } from './block-tree.js';

interface StoredMeta {
  format: number;
  chainId: string;
}

/** What opening a chain fills in: the tree and the tip state, from the store or from genesis. */
export interface ChainLoadTarget {
  readonly cs: ChainStore;
  readonly health: StoreHealth;
  readonly tree: BlockTree;
  readonly state: BaseState;
  readonly consensus: Consensus;
  readonly apps: readonly ChainApp[];
  readonly params: ChainParams;
  readonly chainId: string;
}

/**
 * Opens the chain in the store: writes genesis into an empty store, else checks that the
 * store holds this chain in this format and loads its tree, best chain and state. Returns
 * the genesis entry.
 */
export async function openChain(t: ChainLoadTarget): Promise<TreeEntry> {
  const meta = await t.cs.json<StoredMeta>(key.meta);
  if (!meta) return initialise(t);
  checkMeta(t, meta);
  return load(t);
}

function checkMeta(t: ChainLoadTarget, meta: StoredMeta): void {
  if (meta.format !== STORE_FORMAT) {
    throw new StoreError(
      'STORE_FORMAT',
      `the store at ${t.cs.store.location} has format ${meta.format}; this cairn reads format ${STORE_FORMAT}`,
    );
  }
  if (meta.chainId !== t.chainId) {
    throw new StoreError(
      'STORE_FOREIGN',
      `the data dir holds chain ${meta.chainId.slice(0, 12)}, but these settings give chain ${t.chainId.slice(0, 12)}: use the same chain settings or another --data-dir`,
    );
  }
}

async function initialise(t: ChainLoadTarget): Promise<TreeEntry> {
  for await (const [k] of t.cs.store.iterate('')) {
    throw new StoreError(
      'STORE_FOREIGN',
      `the store at ${t.cs.store.location} holds data that is not a cairn chain ('${k.slice(0, 40)}'); it will not be overwritten`,
    );
  }
  const genesis = genesisBlock(t.params);
  const hash = headerHash(genesis.header);
  const work = t.consensus.work(genesis.header.target);
  const ops: StoreOp[] = [
    put(key.meta, { format: STORE_FORMAT, chainId: t.chainId }),
    put(key.block(hash), genesis),
    put(key.entry(hash), { header: genesis.header, work: work.toString(16), status: 'valid' } satisfies StoredEntry),
    put(key.height(0), hash),
    put(key.tip, hash),
  ];
  for (const app of t.apps) {
    for (const [k, v] of Object.entries(app.genesis?.(t.params.appParams[app.id]) ?? {})) {
      const text = JSON.stringify(v);
      ops.push(putRaw(key.state(app.id, k), text));
      t.state.setRaw(app.id, k, text);
    }
  }
  await t.health.write(ops);
  const entry = t.tree.add(hash, genesis.header, work, 'valid');
  t.tree.setBestChain([hash]);
  return entry;
}

async function load(t: ChainLoadTarget): Promise<TreeEntry> {
  await loadTree(t);
  const best = await loadBestChain(t);
  t.tree.setBestChain(best);
  for await (const [app, k, raw] of t.cs.states()) t.state.setRaw(app, k, raw);
  return t.tree.get(best[0]!)!;
}

async function loadTree(t: ChainLoadTarget): Promise<void> {
  const entries: Array<[string, StoredEntry]> = [];
  for await (const entry of t.cs.scan<StoredEntry>('H:')) entries.push(entry);
  entries.sort((a, b) => a[1].header.height - b[1].header.height);
  for (const [hash, e] of entries) {
    if (e.header.height > 0 && !t.tree.has(e.header.prev)) continue; // unreachable leftovers
    t.tree.add(hash, e.header, BigInt('0x' + e.work), e.status);
  }
}

/** The best chain's hashes by height, checked against the tree and the stored tip. */
async function loadBestChain(t: ChainLoadTarget): Promise<string[]> {
  const best: string[] = [];
  for await (const [height, hash] of t.cs.scan<string>('h:')) {
    if (Number(height) !== best.length || !t.tree.has(hash)) {
      throw damagedStore(t.cs.store.location, `a broken best-chain index at height ${Number(height)}`);
    }
    best.push(hash);
  }
  const tip = await t.cs.json<string>(key.tip);
  if (best.length === 0 || best[0] !== t.chainId || tip !== best[best.length - 1]) {
    throw damagedStore(t.cs.store.location, 'no consistent tip');
  }
  return best;
}
