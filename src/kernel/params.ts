import canonicalize from 'canonicalize';
import { BLOCK_VERSION, headerHash, type Block, type BlockHeader } from './block.js';
import { ZERO_HASH, sha256hex } from './hash.js';

export type DifficultyPolicy = 'asert' | 'cs60' | 'fixed';

/**
 * Everything that makes a chain what it is. Nodes started with the same parameters derive the
 * same genesis block, hence the same chain id, without exchanging a file.
 */
export interface ChainParams {
  network: string;
  apps: string[];
  consensus: {
    policy: DifficultyPolicy;
    blockTimeMs: number;
    /** Target of the genesis block: the anchor for ASERT, the constant for `fixed`. */
    initialTarget: string;
    /** ASERT: the target doubles or halves per half-life of schedule drift. */
    halfLifeMs: number;
  };
  /** Genesis timestamp, ms. Fixed by default so that equal flags give equal chains. */
  timestamp: number;
  appParams: Record<string, unknown>;
}

/** 2026-01-01T00:00:00Z: the default genesis time. */
export const DEFAULT_GENESIS_TIME = 1_767_225_600_000;

/**
 * A target that a single core of these machines (~3 M hashes/s) meets in about `seconds`
 * on average: 2^256 / (3e6 * seconds).
 */
export function targetForSeconds(seconds: number, hashesPerSecond = 3_000_000): string {
  const expected = BigInt(Math.max(1, Math.round(hashesPerSecond * seconds)));
  const target = (1n << 256n) / expected - 1n;
  return target.toString(16).padStart(64, '0');
}

export function genesisBlock(params: ChainParams): Block {
  const text = canonicalize(params);
  if (text === undefined) throw new TypeError('chain parameters are not JSON-encodable');
  const header: BlockHeader = {
    version: BLOCK_VERSION,
    height: 0,
    prev: ZERO_HASH,
    // The genesis block carries no transactions; its root commits to the parameters instead.
    txRoot: sha256hex(text),
    time: params.timestamp,
    target: params.consensus.initialTarget,
    nonce: 0,
  };
  return { header, txs: [] };
}

export function chainIdOf(params: ChainParams): string {
  return headerHash(genesisBlock(params).header);
}
