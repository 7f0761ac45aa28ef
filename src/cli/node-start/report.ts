import type { BlockEvent, NodeConfig, ReorgEvent, StoreStatus } from '../../kernel/index.js';
import type { FaultRunner } from '../../plugins/faults/index.js';
import type { Emit } from '../emit.js';
import { difficultyBits, shortHash } from '../node-assembly.js';
import { storeConsequence } from '../node-report.js';

/** A tip as height and hash. */
export interface TipSeen {
  height: number;
  hash: string;
}

/** What the `started` line says of a node that has started. */
export interface StartedNode {
  chainId: string;
  tip: TipSeen;
  config: NodeConfig;
  address?: string;
  api?: string;
  faults?: FaultRunner;
}

/** One line per block connected to the best chain; `sincePrevMs` is undefined for block 1. */
export function printBlock(emit: Emit, json: boolean, e: BlockEvent, sincePrevMs: number | undefined): void {
  if (json) {
    emit({
      event: 'block',
      ...e,
      txs: e.txIds.length,
      sincePrevMs: sincePrevMs ?? null,
      difficultyBits: round(difficultyBits(e.target), 2),
    });
    return;
  }
  const since = sincePrevMs === undefined ? '' : `  +${(sincePrevMs / 1000).toFixed(2)}s`;
  emit(
    `block ${e.height}  ${shortHash(e.hash)}  txs ${e.txIds.length}${since}  difficulty ${difficultyBits(e.target).toFixed(1)} bits${e.reorg ? '  (reorg)' : ''}`,
  );
}

export function printReorg(emit: Emit, json: boolean, e: ReorgEvent): void {
  if (json) emit({ event: 'reorg', ...e });
  else
    emit(
      `reorg: left ${shortHash(e.from.hash)} at height ${e.from.height} for ${shortHash(e.to.hash)} at height ${e.to.height} (${e.depth} blocks undone)`,
    );
}

/** A full disk pauses the node rather than stopping it: say so where the blocks are printed. */
export function printStore(emit: Emit, json: boolean, s: StoreStatus): void {
  if (json) emit({ event: 'store', ...s });
  else if (s.writable) emit('store writable again: mining, sync and new transactions resume');
  else emit(`store not writable (${s.code}): ${storeConsequence(s)}; ${s.message}`);
}

export function printStarted(emit: Emit, json: boolean, n: StartedNode): void {
  const { config, tip, address, api, faults } = n;
  if (json) {
    emit({
      event: 'started',
      chainId: n.chainId,
      height: tip.height,
      tip: tip.hash,
      mine: config.mine,
      dataDir: config.dataDir,
      address: address ?? null,
      api: api ?? null,
      ...(faults ? { faults: faults.names, faultSeed: faults.seed } : {}),
    });
    return;
  }
  emit(`node on chain ${shortHash(n.chainId)} at height ${tip.height} (tip ${shortHash(tip.hash)}), data dir ${config.dataDir}`);
  emit(`mining: ${config.mine}${config.mine === 'off' ? '' : `, ${config.miners} miner${config.miners === 1 ? '' : 's'}`}; Ctrl-C stops`);
  if (address) emit(`listening on ${config.transport} ${address}${config.tracker ? `, tracker ${config.tracker}` : ''}`);
  if (api) emit(`api ${api}`);
  if (faults) emit(`faults: ${faults.names.join(', ')} (seed ${faults.seed}): this node misbehaves on purpose`);
}

export function printStopped(emit: Emit, json: boolean, signal: NodeJS.Signals, end: TipSeen): void {
  if (json) emit({ event: 'stopped', signal, height: end.height, tip: end.hash });
  else emit(`stopped (${signal}) at height ${end.height}, tip ${shortHash(end.hash)}`);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
