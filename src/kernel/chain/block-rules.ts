import { Ajv } from 'ajv';
import { inject, injectable } from 'tsyringe';
import { BLOCK_VERSION, headerHash, merkleRoot, type Block } from '../block.js';
import type { TreeEntry } from './block-tree.js';
import { BlockRejection, TxRejection } from '../errors.js';
import type { NodeConfig } from '../config.js';
import type { Consensus } from '../services.js';
import { CONFIG, CONSENSUS, TX_RULES } from '../tokens.js';
import type { TxRules } from '../tx/index.js';
import { sha256hex } from '../hash.js';
import { compileGuard, HEADER_SCHEMA } from '../schemas.js';
import { signingBytes } from '../tx/index.js';

/** Blocks may not claim a time further ahead of ours than this: Bitcoin's 2 hours. */
export const MAX_FUTURE_MS = 2 * 60 * 60 * 1000;

function blockSchema(maxTxs: number) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['header', 'txs'],
    properties: {
      header: HEADER_SCHEMA,
      // Envelopes are checked one by one with the transaction rules, which name the bad one.
      txs: { type: 'array', maxItems: maxTxs, items: { type: 'object' } },
    },
  } as const;
}

export interface CheckedBlock {
  block: Block;
  hash: string;
  txIds: string[];
}

/**
 * The context-free and parent-dependent steps of the pipeline, in the order that rejects
 * cheap forgeries before expensive work: structure → seal → link and height → timestamp →
 * transactions. Applying the transactions to state is the chain engine's last step.
 * The kernel's default for BLOCK_RULES.
 */
@injectable()
export class BlockRules {
  private readonly validate;

  constructor(
    @inject(CONSENSUS) private readonly consensus: Consensus,
    @inject(TX_RULES) private readonly txRules: TxRules,
    @inject(CONFIG) config: NodeConfig,
  ) {
    this.validate = compileGuard(new Ajv({ strict: false, allErrors: false }), blockSchema(config.maxBlockTxs));
  }

  structure(raw: unknown): Block {
    if (!this.validate(raw)) {
      const e = this.validate.errors![0]!;
      const code = e.keyword === 'maxItems' ? 'BLOCK_TOO_LARGE' : 'BLOCK_MALFORMED';
      throw new BlockRejection(code, `block ${e.instancePath || 'document'} ${e.message ?? 'is invalid'}`);
    }
    // The schema leaves envelopes to `transactions()`, which checks each before a field of one
    // is read; until then only the header is, so the block is typed as what it becomes.
    const block = raw as Block;
    if (block.header.version !== BLOCK_VERSION)
      throw new BlockRejection('BLOCK_BAD_VERSION', `block version ${block.header.version} is not ${BLOCK_VERSION}`);
    return block;
  }

  /** Checks the block's seal (its proof of work) and returns its hash. */
  checkSeal(block: Block): string {
    const hash = headerHash(block.header);
    if (!this.consensus.checkSeal(block.header, hash))
      throw new BlockRejection('BLOCK_BAD_POW', `block ${hash.slice(0, 16)} does not meet its own target`);
    return hash;
  }

  link(block: Block, parent: TreeEntry): void {
    const h = block.header;
    if (parent.status === 'invalid')
      throw new BlockRejection('BLOCK_INVALID_ANCESTOR', `block at height ${h.height} builds on an invalid block`);
    if (h.height !== parent.header.height + 1) {
      throw new BlockRejection('BLOCK_BAD_HEIGHT', `block claims height ${h.height} but its parent is at ${parent.header.height}`);
    }
    const expected = this.consensus.nextTarget(parent.header, parent.anchor?.header);
    if (h.target !== expected)
      throw new BlockRejection(
        'BLOCK_BAD_TARGET',
        `block at height ${h.height} has target ${h.target.slice(0, 16)}… but the chain requires ${expected.slice(0, 16)}…`,
      );
  }

  timestamp(block: Block, medianTimePast: number, now: number): void {
    const t = block.header.time;
    // A block too far ahead may become acceptable later: ignore it rather than blame its sender.
    if (t > now + MAX_FUTURE_MS)
      throw new BlockRejection('BLOCK_TIME_TOO_NEW', `block time is ${Math.round((t - now) / 60000)} min ahead of ours (limit 2 h)`);
    if (t <= medianTimePast) throw new BlockRejection('BLOCK_TIME_TOO_OLD', 'block time is not after the median of the previous 11 blocks');
  }

  /**
   * Envelopes, unique ids and the root first (hashing is cheap), then app, payload and
   * signature of each transaction (verifying is not).
   */
  transactions(block: Block): string[] {
    const ids: string[] = [];
    const encoded: Array<string | undefined> = [];
    const seen = new Set<string>();
    for (let i = 0; i < block.txs.length; i++) {
      // A transaction object this node checked before (from its mempool) keeps its id.
      let id = this.txRules.checkedId(block.txs[i]);
      let bytes: string | undefined;
      if (id === undefined) {
        bytes = signingBytes(
          this.txRules.chainId,
          guard(i, () => this.txRules.checkEnvelope(block.txs[i])),
        );
        id = sha256hex(bytes);
      }
      encoded.push(bytes);
      if (seen.has(id)) throw new BlockRejection('BLOCK_DUPLICATE_TX', `transaction ${id.slice(0, 16)} appears twice in the block`);
      seen.add(id);
      ids.push(id);
    }
    if (merkleRoot(ids) !== block.header.txRoot)
      throw new BlockRejection('BLOCK_BAD_TX_ROOT', 'the transaction root does not match the transactions');
    for (let i = 0; i < block.txs.length; i++) {
      const bytes = encoded[i];
      if (bytes !== undefined) guard(i, () => this.txRules.checkStateless(block.txs[i]!, bytes));
    }
    return ids;
  }
}

function guard<T>(index: number, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TxRejection) throw badTx(index, err);
    throw err;
  }
}

export function badTx(index: number, err: TxRejection): BlockRejection {
  return new BlockRejection('BLOCK_BAD_TX', `transaction ${index} is invalid: ${err.message}`, { index, txCode: err.code });
}
