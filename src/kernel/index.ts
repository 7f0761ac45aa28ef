// The kernel's front door: plugins, apps and commands import from here only.
export * from './app.js';
export * from './app-faults.js';
export * from './block.js';
export * from './chain-params.js';
export * from './config.js';
export * from './errors.js';
export { fsReason } from './fs-reason.js';
export * from './events.js';
export * from './hash.js';
export * from './keys.js';
export * from './logger.js';
export * from './params.js';
export * from './plugin.js';
export * from './schema-errors.js';
export * from './schemas.js';
export * from './services.js';
export * from './tokens.js';
export * from './tx/index.js';
export {
  BlockRules,
  ChainEngine,
  ChainReader,
  DefaultOrphanPolicy,
  DEFAULT_ORPHAN_POOL,
  type BlockOutcome,
  type ChainEntry,
  type OrphanPolicy,
  type OrphanPoolOptions,
  type TipInfo,
} from './chain/index.js';
export { Mempool } from './mempool/index.js';
export { StoreHealth, type StoreStatus } from './store/index.js';
export { Miner } from './mining/index.js';
export { CairnNode, type NodeOptions } from './node.js';
export type { VerifyResult } from './chain/index.js';
export { TX_INDEX_APP, MAX_TX_BYTES } from './tx/index.js';
export * from './net/index.js';
export * from './verdicts.js';
export { MAX_JSON_DEPTH, parseUntrustedJson, UntrustedJsonError } from './untrusted-json.js';
export { Keystore, validateKeyName, type StoredKey, type KeyInfo } from './keystore.js';
export { seededRandom } from './seeded-random.js';
export { BaseState, StateOverlay } from './state.js';
export { checkedOps } from './store/index.js';
