// The chain's front door: the engine and its parts, the reader, and the rules a block is judged by.
export { ChainEngine } from './chain-engine.js';
export { ChainReader, type ChainEntry, type TipInfo } from './chain-reader.js';
export { type BlockOutcome, type BlockResult } from './block-importer.js';
export { BlockTree, outweighs, type TreeEntry } from './block-tree.js';
export { BlockRules } from './block-rules.js';
export { OrphanPool, DEFAULT_ORPHAN_POOL, type OrphanPoolOptions } from './orphan-pool.js';
export { DefaultOrphanPolicy, type OrphanPolicy } from './orphan-policy.js';
export { verifyStoredChain, type VerifyResult, type VerifiedChain } from './verify.js';
