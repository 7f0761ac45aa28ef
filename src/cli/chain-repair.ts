import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import {
  BlockRejection,
  CairnError,
  CairnNode,
  chainIdOf,
  StoreError,
  type Block,
  type ChainApp,
  type ChainParams,
  type NodeConfig,
  type Store,
  type Tx,
} from '../kernel/index.js';
import { powConsensus } from '../plugins/consensus-pow/index.js';
import { holdsStore, levelStore, repairedCopy, storeInUse } from '../plugins/store-level/index.js';

export interface RepairOptions {
  config: NodeConfig;
  params: ChainParams;
  apps: ChainApp[];
  logger: Logger;
  /** Names the kept-aside store; a clock for tests. */
  now?: () => Date;
}

export interface RepairReport {
  /** The rebuilt store, where the damaged one was. */
  store: string;
  /** Where the damaged store was moved, untouched. */
  keptAt: string;
  /**
   * Best-chain height the damaged store recorded, or the highest block found; a lower bound
   * when LevelDB could not read all of it (`unreadable`), since the newest records may be what was lost.
   */
  heightBefore: number;
  /** What LevelDB's repair could not read, in its words: empty when the damage lost no record. */
  unreadable: string[];
  heightAfter: number;
  tip: string;
  /** Block bodies read back from the damaged store, side branches included. */
  blocksSalvaged: number;
  /** Best-chain blocks the rebuilt store lacks; the node syncs them from peers. */
  blocksLost: number;
  /** Waiting transactions read back and admitted again. */
  mempoolSalvaged: number;
  verified: true;
}

/** Blocks submitted to the new store per call: a sync page. */
const PAGE = 250;

/**
 * `cairn chain repair`: rebuilds the data dir's store from what the damaged one still holds.
 * The damaged store is never changed: it is copied, LevelDB's repair runs on the copy, every
 * block body the copy yields goes through the normal pipeline (`submitBlocks`, from genesis,
 * as a sync would) into a fresh store, which must then pass a full `chain verify`. Only then
 * is the damaged store moved aside (renamed, kept) and the new one put in its place, which
 * also clears the damage marker, since that lives in the old directory. What is missing is
 * fetched from peers at the node's next start, as for any node behind.
 */
export async function repairChain(options: RepairOptions): Promise<RepairReport> {
  const { config, params, apps, logger } = options;
  const location = path.join(config.dataDir, 'chain');
  if (!existsSync(location) || !(await holdsStore(location)))
    throw new StoreError('STORE_MISSING', `there is no store at ${location} to repair`, { location });
  if (await storeInUse(location))
    throw new StoreError(
      'STORE_LOCKED',
      `the store at ${location} is open elsewhere: stop the node running on this data dir before repairing it`,
      { location },
    );

  const stamp = (options.now?.() ?? new Date()).toISOString().replace(/[:.]/g, '-');
  const work = path.join(config.dataDir, `chain.repair-${stamp}`);
  const rebuilt = path.join(work, 'rebuilt');
  const keptAt = `${location}.damaged-${stamp}`;
  await mkdir(work);
  let node: CairnNode | undefined;
  let salvage: Store | undefined;
  try {
    const copy = await repairedCopy(location, path.join(work, 'salvage'));
    salvage = copy.store;
    await salvage.start?.();
    const found = await readSalvage(salvage, chainIdOf(params));

    node = CairnNode.create({
      config: { ...config, mine: 'off', transport: 'none', apiPort: undefined },
      params,
      apps,
      plugins: [levelStore({ path: rebuilt }), powConsensus()],
      logger,
    });
    await node.start();
    await importBlocks(node, salvage, found.blocks);
    let mempoolSalvaged = 0;
    for (const tx of found.mempool) {
      try {
        await node.mempool.add(tx);
        mempoolSalvaged++;
      } catch (err) {
        if (!(err instanceof CairnError) || err instanceof StoreError) throw err;
        // Confirmed by now, or no longer valid on the salvaged chain: nothing to keep.
      }
    }
    const verified = await node.chain.verify();
    if (!verified.ok)
      throw new CairnError(
        'REPAIR_FAILED',
        `the rebuilt chain fails chain verify at block ${verified.height} (${verified.message}); the damaged store was left as it was`,
      );
    const tip = node.chain.tip();
    await node.stop();
    node = undefined;
    await salvage.stop?.();
    salvage = undefined;

    await rename(location, keptAt);
    await rename(rebuilt, location);
    await rm(work, { recursive: true, force: true });
    const heightBefore = Math.max(found.recordedHeight ?? 0, found.highest);
    return {
      store: location,
      keptAt,
      heightBefore,
      unreadable: [
        ...copy.unreadable,
        ...(found.unparsable ? [`${found.unparsable} record${found.unparsable === 1 ? '' : 's'} read back as garbage`] : []),
      ],
      heightAfter: tip.height,
      tip: tip.hash,
      blocksSalvaged: found.blocks.length,
      blocksLost: Math.max(0, heightBefore - tip.height),
      mempoolSalvaged,
      verified: true,
    };
  } catch (err) {
    await node?.stop().catch(() => undefined);
    await Promise.resolve(salvage?.stop?.()).catch(() => undefined);
    // Only our scratch copy goes: the damaged store is still where it was, unchanged.
    await rm(work, { recursive: true, force: true });
    throw err;
  }
}

interface Salvaged {
  /** Body keys with their heights, in height order. */
  blocks: Array<{ key: string; height: number }>;
  /** Records LevelDB returned that are not what was written (RepairDB reads logs without checksums). */
  unparsable: number;
  highest: number;
  recordedHeight?: number;
  mempool: Tx[];
}

/** Reads what can be read of the repaired copy; an unreadable record is skipped, never fatal. */
async function readSalvage(store: Store, chainId: string): Promise<Salvaged> {
  const meta = parse<{ chainId?: string }>(await store.get('meta').catch(() => undefined));
  if (meta?.chainId !== undefined && meta.chainId !== chainId)
    throw new StoreError(
      'STORE_FOREIGN',
      `the damaged store holds chain ${meta.chainId.slice(0, 12)}, but these settings give chain ${chainId.slice(0, 12)}: repair it with the settings of its own chain`,
    );
  const blocks: Salvaged['blocks'] = [];
  const mempool: Tx[] = [];
  let highest = 0;
  let unparsable = 0;
  await scan(store, 'b:', (key, value) => {
    const height = parse<Block>(value)?.header?.height;
    if (typeof height !== 'number' || !Number.isSafeInteger(height) || height < 0) unparsable++;
    else if (height > 0) {
      blocks.push({ key, height });
      highest = Math.max(highest, height);
    }
  });
  await scan(store, 'm:', (_key, value) => {
    const tx = parse<Tx>(value);
    if (tx) mempool.push(tx);
    else unparsable++;
  });
  blocks.sort((a, b) => a.height - b.height);
  let recordedHeight: number | undefined;
  const tip = parse<string>(await store.get('tip').catch(() => undefined));
  if (typeof tip === 'string') {
    const entry = parse<{ header?: { height?: number } }>(await store.get(`H:${tip}`).catch(() => undefined));
    if (typeof entry?.header?.height === 'number') recordedHeight = entry.header.height;
  }
  return { blocks, unparsable, highest, recordedHeight, mempool };
}

async function scan(store: Store, prefix: string, visit: (key: string, value: string) => void): Promise<void> {
  try {
    for await (const [key, value] of store.iterate(prefix)) visit(key, value);
  } catch (err) {
    // What the repair could not make readable is lost; what was read before it is kept.
    if (!(err instanceof StoreError)) throw err;
  }
}

/**
 * Every salvaged body through the pipeline, lowest first, a page at a time: fork choice picks
 * the best branch among them, a body that fails is dropped (with its descendants) and the
 * page goes on after it, and a block whose ancestors were lost waits as an orphan and is lost.
 */
async function importBlocks(node: CairnNode, salvage: Store, blocks: Salvaged['blocks']): Promise<void> {
  for (let start = 0; start < blocks.length; start += PAGE) {
    const page: unknown[] = [];
    for (const { key } of blocks.slice(start, start + PAGE)) {
      const body = parse<Block>(await salvage.get(key).catch(() => undefined));
      if (body) page.push(body);
    }
    let from = 0;
    while (from < page.length) {
      const results = await node.chain.submitBlocks(page.slice(from));
      const failed = results.findIndex((r) => r.error && !(r.error instanceof BlockRejection && r.error.verdict === 'ignore'));
      if (failed < 0) break;
      from += failed + 1;
    }
  }
}

function parse<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
