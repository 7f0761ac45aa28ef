import type { BlockEvent, CairnNode, ReorgEvent, StoreStatus } from '../../kernel/index.js';
import type { Emit } from '../emit.js';
import { SyncProgress } from '../sync-progress.js';
import { printBlock, printReorg, printStore, type TipSeen } from './report.js';

/** The tip as the events saw it: after stop() the node's services are gone. */
export interface TipTracker {
  last: TipSeen;
}

/**
 * Prints the node's block, reorg and store events as they come, and sync progress on stderr
 * for people; returns the last tip they showed.
 */
export function followNode(node: CairnNode, json: boolean, emit: Emit): TipTracker {
  const seen: TipTracker = { last: { height: 0, hash: node.chainId } };
  node.events.on('block', (e: BlockEvent) => {
    // The genesis time is a fixed date, not when anyone mined: no interval for block 1.
    const prev = e.height > 1 ? node.reader.header(e.hash)?.prev : undefined;
    const prevTime = prev === undefined ? undefined : node.reader.header(prev)?.time;
    const sincePrevMs = prevTime === undefined ? undefined : e.time - prevTime;
    seen.last = { height: e.height, hash: e.hash };
    printBlock(emit, json, e, sincePrevMs);
  });
  node.events.on('reorg', (e: ReorgEvent) => printReorg(emit, json, e));
  node.events.on('store', (s: StoreStatus) => printStore(emit, json, s));

  const progress = new SyncProgress(process.stderr);
  if (!json) node.events.on('sync', (e) => progress.update(e.height, e.target));
  return seen;
}
