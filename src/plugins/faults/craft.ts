import {
  BLOCK_VERSION,
  generateKeyPair,
  headerHash,
  merkleRoot,
  privateKeyFromHex,
  signTx,
  txId,
  type Block,
  type BlockHeader,
  type ChainEngine,
  type KeyPairHex,
  type Tx,
  type UnsignedTx,
} from '../../kernel/index.js';
import type { FaultContext } from './context.js';
import { randomHex } from './rng.js';

/**
 * The tip of a branch being built off the tree (a private or forged chain): enough to derive the
 * next header's height, target and a timestamp the median-time rule accepts.
 */
export interface BranchTip {
  hash: string;
  header: BlockHeader;
  /** The height-1 header of the branch, once above height 1 (absolute difficulty schedules). */
  anchor: BlockHeader | undefined;
  /** Timestamps of up to the last 11 blocks, oldest first. */
  times: number[];
}

export function branchFrom(chain: ChainEngine, hash: string = chain.tip().hash): BranchTip {
  const entry = chain.reader.entry(hash);
  if (!entry) throw new Error(`block ${hash.slice(0, 12)} is not in the tree`);
  const times: number[] = [];
  for (let cursor: typeof entry | undefined = entry; cursor && times.length < 11; cursor = cursor.parent) times.unshift(cursor.header.time);
  return { hash, header: entry.header, anchor: entry.anchor?.header, times };
}

/** A header for the child of `tip`, committing to `txs`, with the target the chain requires. */
export function childHeader(chain: ChainEngine, tip: BranchTip, txs: readonly Tx[], time = Date.now()): BlockHeader {
  return {
    version: BLOCK_VERSION,
    height: tip.header.height + 1,
    prev: tip.hash,
    txRoot: merkleRoot(txs.map((tx) => txId(chain.chainId, tx))),
    time: Math.max(time, Math.max(...tip.times) + 1),
    target: chain.consensus.nextTarget(tip.header, tip.anchor),
    nonce: 0,
  };
}

export function extendBranch(tip: BranchTip, header: BlockHeader): BranchTip {
  return {
    hash: headerHash(header),
    header,
    anchor: header.height === 1 ? header : tip.anchor,
    times: [...tip.times, header.time].slice(-11),
  };
}

/** Real proof of work through the node's consensus engine (off the event loop). */
export async function seal(
  chain: ChainEngine,
  header: BlockHeader,
  signal: AbortSignal = new AbortController().signal,
): Promise<BlockHeader | undefined> {
  return (await chain.consensus.seal(header, signal)) ?? undefined;
}

/** A nonce whose hash misses the header's target: a block failing proof of work. */
export function missSeal(chain: ChainEngine, header: BlockHeader): BlockHeader {
  for (let nonce = 0; nonce < 1_000_000; nonce++) {
    const h = { ...header, nonce };
    if (!chain.consensus.checkSeal(h, headerHash(h))) return h;
  }
  // Only a target of all ones is met by every hash; no block can fail it.
  throw new Error('every nonce meets this target');
}

/** Seals in process for targets that take a handful of tries (an easier target than the chain's). */
export function sealEasy(chain: ChainEngine, header: BlockHeader, maxTries = 1_000_000): BlockHeader {
  for (let nonce = 0; nonce < maxTries; nonce++) {
    const h = { ...header, nonce };
    if (chain.consensus.checkSeal(h, headerHash(h))) return h;
  }
  throw new Error('no nonce met the target');
}

/** A key of the faulty node's own, for transactions it signs. */
export class FaultKey {
  readonly pair: KeyPairHex = generateKeyPair();
  private readonly key = privateKeyFromHex(this.pair);
  private nonce = 0;

  get publicKey(): string {
    return this.pair.publicKey;
  }

  sign(chainId: string, call: Omit<UnsignedTx, 'from' | 'nonce'>, nonce = this.nonce++): Tx {
    return signTx(chainId, { ...call, from: this.pair.publicKey, nonce }, this.key);
  }
}

/** Transactions this node has seen: waiting in its mempool, then in the latest blocks. */
export async function knownTxs(ctx: FaultContext, limit = 50): Promise<Tx[]> {
  const txs = ctx.services.mempool.pending(limit);
  for (let h = ctx.chain.tip().height; h > 0 && txs.length < limit && h > ctx.chain.tip().height - 20; h--) {
    const block = await ctx.chain.blockAt(h);
    if (block) txs.push(...block.txs.slice(0, limit - txs.length));
  }
  return txs;
}

/**
 * A transaction whose signature does not verify: a real one with its signature replaced when
 * the node has seen one (so app, type and payload pass and only the signature fails), else an
 * envelope for the chain's first app that fails as early as the chain allows.
 */
export async function forgedTx(ctx: FaultContext): Promise<Tx> {
  const [seen] = await knownTxs(ctx, 1);
  if (seen) return { ...seen, nonce: seen.nonce + 1 + Math.floor(ctx.random() * 1000), sig: randomHex(ctx.random, 64) };
  const app = ctx.chain.reader.appIds()[0] ?? 'none';
  const type = Object.keys(ctx.chain.reader.app(app)?.tx ?? { none: 0 })[0]!;
  return { app, type, payload: {}, from: randomHex(ctx.random, 32), nonce: 0, sig: randomHex(ctx.random, 64) };
}

export function blockOf(header: BlockHeader, txs: Tx[]): Block {
  return { header, txs };
}
