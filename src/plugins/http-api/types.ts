import type {
  AppEventMessage,
  NetworkStats,
  BlockEvent,
  BlockHeader,
  MineMode,
  RejectionEvent,
  ReorgEvent,
  StoreStatus,
  Tx,
} from '../../kernel/index.js';

/** What the node API answers: shared by the server (which builds it) and the client (which reads it). */

export interface StatusResponse {
  chainId: string;
  height: number;
  tip: string;
  /** Total work of the best chain, hex. */
  totalWork: string;
  /** Transactions waiting in the mempool. */
  mempool: number;
  /** Peers that completed the handshake. */
  peers: number;
  syncing: boolean;
  mining: MineMode;
  /** Whether the store takes writes; while not (a full disk) mining and sync pause and new transactions get 503. */
  store: StoreStatus;
  /** Rejection counters by code, from the network layer (empty without one). */
  rejections: Record<string, number>;
  /** What the network edge turned away before it was a peer's business (see EdgeCounters); empty without a network. */
  edge: Record<string, number>;
  /** The transport's own counters (malformed, rate-limited, dropped...); empty without one. */
  transport: Record<string, number>;
  /** Seconds since the API started. */
  uptime: number;
}

/** A peer as the node's network sees it (`outbound`: we dialled it or discovery introduced it). */
export type PeerInfo = NetworkStats['peers'][number];

/** A banned peer, with what it was counted for before and while it was banned, by code. */
export type BanInfo = NetworkStats['banned'][number];

export interface PeersResponse {
  peers: PeerInfo[];
  banned: BanInfo[];
}

export interface BlockSummary {
  hash: string;
  height: number;
  time: number;
  target: string;
  txCount: number;
  txIds: string[];
}

export interface BlocksResponse {
  /** Height of the best tip when the page was read. */
  height: number;
  blocks: BlockSummary[];
}

export interface BlockResponse {
  hash: string;
  header: BlockHeader;
  txs: Tx[];
  txIds: string[];
  /** False for a block on a side branch. */
  onBestChain: boolean;
}

export type TxSubmitResponse = { id: string; known?: false } | { id: string; known: true };

/** `POST /txs`: per transaction, in the order sent, its id (`known` when the node had it) or why it was refused. */
export interface TxsSubmitResponse {
  results: Array<{ id: string; known?: boolean } | { error: { code: string; message: string } }>;
}

/** A transaction as its signer wrote it, without the signature. */
export interface TxSummary {
  app: string;
  type: string;
  /** Public key of the signer. */
  from: string;
  payload: unknown;
  nonce: number;
}

export type TxStatusResponse =
  { status: 'pending'; tx: TxSummary } | { status: 'confirmed'; height: number; blockHash: string; confirmations: number; tx: TxSummary };

export interface AppInfo {
  id: string;
  description?: string;
  txTypes: string[];
  /** Each transaction type's payload JSON Schema. */
  txSchemas: Record<string, unknown>;
  queries: string[];
}

export interface AppsResponse {
  apps: AppInfo[];
}

export type ApiEventType = 'block' | 'reorg' | 'app' | 'rejected';
export const API_EVENT_TYPES: readonly ApiEventType[] = ['block', 'reorg', 'app', 'rejected'];

/** One Server-Sent Event of `GET /events`. */
export type ApiEvent =
  | { type: 'block'; data: BlockEvent }
  | { type: 'reorg'; data: ReorgEvent }
  | { type: 'app'; data: AppEventMessage }
  | { type: 'rejected'; data: RejectionEvent };

/** Every error response has this body. */
export interface ApiErrorBody {
  error: { code: string; message: string };
}
