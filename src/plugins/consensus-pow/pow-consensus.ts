import type { Logger } from 'pino';
import { encodeHeader, headerHash, type BlockHeader } from '../../kernel/index.js';
import { ConfigError } from '../../kernel/index.js';
import { isHash } from '../../kernel/index.js';
import type { ChainParams } from '../../kernel/index.js';
import type { Consensus } from '../../kernel/index.js';
import { asertRule } from './asert.js';
import { cs60Rule } from './cs60.js';
import type { DifficultyRule } from './difficulty-rule.js';
import { SealError } from './errors.js';
import { fixedRule } from './fixed.js';
import { MinerPool } from './miner-pool.js';
import { workOf } from './target.js';

export interface PowConsensusOptions {
  consensus: ChainParams['consensus'];
  /** Miner processes; one per core is the useful maximum. */
  miners: number;
  /** Wall time of one hashing batch (ms): bounds how late a miner sees an abort. */
  batchMs?: number;
  /** Scheduling niceness of the miner processes (default 10: below the node itself). */
  niceness?: number;
  log?: Logger;
}

export const DEFAULT_BATCH_MS = 10;

function ruleFor(consensus: ChainParams['consensus']): DifficultyRule {
  switch (consensus.policy) {
    case 'asert':
      return asertRule(consensus);
    case 'cs60':
      return cs60Rule();
    case 'fixed':
      return fixedRule(consensus.initialTarget);
    default:
      throw new ConfigError(
        'CONSENSUS_POLICY_UNKNOWN',
        `unknown difficulty policy '${String(consensus.policy)}' (known: asert, cs60, fixed)`,
      );
  }
}

function checkOptions(options: PowConsensusOptions): void {
  const { consensus, miners, batchMs, niceness } = options;
  const invalid = (message: string) => new ConfigError('CONSENSUS_PARAMS_INVALID', message);
  if (!isHash(consensus.initialTarget)) throw invalid('the initial target must be 64 lowercase hex digits');
  if (consensus.policy === 'asert') {
    if (!Number.isSafeInteger(consensus.blockTimeMs) || consensus.blockTimeMs <= 0)
      throw invalid('the block time must be a positive whole number of milliseconds');
    if (!Number.isSafeInteger(consensus.halfLifeMs) || consensus.halfLifeMs <= 0)
      throw invalid('the ASERT half-life must be a positive whole number of milliseconds');
  }
  if (!Number.isInteger(miners) || miners < 1 || miners > 64) throw invalid('the number of miners must be a whole number from 1 to 64');
  if (batchMs !== undefined && !(batchMs >= 1 && batchMs <= 1000)) throw invalid('the mining batch time must be between 1 and 1000 ms');
  if (niceness !== undefined && !(Number.isInteger(niceness) && niceness >= 0 && niceness <= 19))
    throw invalid('the miner niceness must be a whole number from 0 to 19');
}

/**
 * Proof of work over SHA-256 of the 118-byte header. Validation (targets, seals, work) runs
 * in the caller's thread; sealing runs in a pool of miner processes, off the event loop.
 */
export class PowConsensus implements Consensus {
  readonly policy: string;
  private readonly rule: DifficultyRule;
  private readonly pool: MinerPool;

  constructor(options: PowConsensusOptions) {
    checkOptions(options);
    this.policy = options.consensus.policy;
    this.rule = ruleFor(options.consensus);
    this.pool = new MinerPool({
      size: options.miners,
      batchMs: options.batchMs ?? DEFAULT_BATCH_MS,
      niceness: options.niceness,
      log: options.log,
    });
  }

  get maxTarget(): string {
    return this.rule.maxTarget;
  }

  nextTarget(parent: BlockHeader, anchor: BlockHeader | undefined): string {
    return this.rule.nextTarget(parent, anchor);
  }

  /** Hex strings of equal length compare like the numbers they spell. */
  checkSeal(header: BlockHeader, hash: string): boolean {
    return isHash(hash) && isHash(header.target) && hash <= header.target;
  }

  work(target: string): bigint {
    return workOf(target);
  }

  /** Varies only the nonce, from `header.nonce` upwards; refreshing `time` is the caller's business. */
  async seal(header: BlockHeader, signal: AbortSignal): Promise<BlockHeader | null> {
    if (!isHash(header.target)) throw new SealError('SEAL_BAD_HEADER', 'the header to seal has no valid target');
    if (!Number.isSafeInteger(header.nonce) || header.nonce < 0)
      throw new SealError('SEAL_BAD_HEADER', 'the header to seal has no valid starting nonce');
    const found = await this.pool.find(encodeHeader(header), header.target, header.nonce, signal);
    if (!found) return null;
    const sealed = { ...header, nonce: found.nonce };
    // A miner's claim is checked here, where it is cheap, rather than by every peer that would refuse the block.
    const hash = headerHash(sealed);
    if (hash !== found.hash || !this.checkSeal(sealed, hash)) {
      throw new SealError('SEAL_INVALID', `a miner reported nonce ${found.nonce}, which does not seal the header`);
    }
    return sealed;
  }

  /** Hashes computed by the miners so far; a rate is the difference over time. */
  get hashes(): number {
    return this.pool.hashes;
  }

  /** Process ids of the live miners. */
  get minerPids(): number[] {
    return this.pool.pids;
  }

  /** Resolves once the miners have stopped hashing for the last seal (after an abort, say). */
  minersIdle(): Promise<void> {
    return this.pool.idle();
  }

  stop(): Promise<void> {
    return this.pool.stop();
  }
}
