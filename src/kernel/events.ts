import { EventEmitter } from 'node:events';
import type { StoreStatus } from './store/index.js';
import type { Tx } from './tx/index.js';

export interface BlockEvent {
  hash: string;
  height: number;
  time: number;
  target: string;
  txIds: string[];
  totalWork: string;
  /** True when the block was connected as part of a switch to another branch. */
  reorg: boolean;
}

export interface ReorgEvent {
  from: { hash: string; height: number };
  to: { hash: string; height: number };
  /** Blocks disconnected from the old best chain. */
  depth: number;
  connected: number;
}

export interface AppEventMessage {
  app: string;
  event: string;
  data: unknown;
  txId: string;
  height: number;
  blockHash: string;
}

export interface RejectionEvent {
  kind: 'block' | 'tx';
  code: string;
  message: string;
  verdict: 'reject' | 'ignore';
  peer?: string;
}

/** The tip moved: what the mempool needs to follow it. */
export interface TipChange {
  /** Transactions of disconnected blocks that the new branch does not contain. */
  returned: Tx[];
  connectedTxIds: Set<string>;
}

export interface NodeEventMap {
  block: [BlockEvent];
  reorg: [ReorgEvent];
  app: [AppEventMessage];
  tx: [{ id: string; tx: Tx; source?: string }];
  sync: [{ height: number; target: number }];
  rejected: [RejectionEvent];
  tip: [TipChange];
  /** The store stopped taking writes, or takes them again. */
  store: [StoreStatus];
  /** This node's miner stored a block it sealed (`count` since start). */
  mined: [{ hash: string; height: number; count: number }];
}

/** One event bus per node; published only for blocks on the best chain, after they are stored. */
export class NodeEvents extends EventEmitter<NodeEventMap> {}
