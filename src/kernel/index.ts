// The kernel's front door: plugins, apps and commands import from here only.
export * from './app.js';
export * from './block.js';
export * from './chain-params.js';
export * from './config.js';
export * from './errors.js';
export * from './events.js';
export * from './hash.js';
export * from './keys.js';
export * from './logger.js';
export * from './params.js';
export * from './plugin.js';
export * from './services.js';
export * from './tokens.js';
export * from './tx.js';
export { ChainEngine, type BlockOutcome, type TipInfo } from './chain.js';
export { Mempool } from './mempool.js';
export { StoreHealth, type StoreStatus } from './store-health.js';
export { Miner } from './miner.js';
export { CairnNode, type NodeOptions } from './node.js';
export type { VerifyResult } from './verify.js';
export { TX_INDEX_APP, MAX_TX_BYTES } from './tx-rules.js';
export { Network, type NetworkStats } from './net/network.js';
export {
  PROTOCOL_VERSION,
  decodeMessage,
  encodeHandshake,
  encodeSession,
  reframe,
  readFrame,
  type HandshakeMessage,
  type Message,
  type SessionMessage,
} from './net/messages.js';
export type { EdgeCounters } from './net/edge-counters.js';
export * from './verdicts.js';
export { MAX_JSON_DEPTH, parseUntrustedJson, UntrustedJsonError } from './untrusted-json.js';
export { Keystore } from './keystore.js';
