// The chain's front door: the engine, its tree and the rules a block is judged by.
export { ChainEngine, type BlockOutcome, type TipInfo } from './chain-engine.js';
export { BlockTree, outweighs, type TreeEntry } from './block-tree.js';
export { BlockRules } from './block-rules.js';
export { OrphanPool } from './orphan-pool.js';
export { verifyStoredChain, type VerifyResult } from './verify.js';
