import { instanceCachingFactory } from 'tsyringe';
import type { Logger } from 'pino';
import type { Plugin } from '../../kernel/index.js';
import { CONSENSUS, LOGGER } from '../../kernel/index.js';
import { PowConsensus } from './pow-consensus.js';

export interface PowConsensusPluginOptions {
  /** Overrides `config.miners`. */
  miners?: number;
  /** Wall time of one hashing batch in ms (default 10). */
  batchMs?: number;
  /** Scheduling niceness of the miner processes (default 10: the node itself comes first). */
  niceness?: number;
}

/**
 * Proof-of-work consensus: difficulty policy and parameters from the chain parameters,
 * miner processes from `config.miners`.
 */
export function powConsensus(options: PowConsensusPluginOptions = {}): Plugin {
  return {
    name: 'consensus-pow',
    provides: [CONSENSUS],
    needs: [LOGGER],
    register(container, { config, params }) {
      // A factory, not a class: the engine is built from the plugin context, not from tokens.
      // instanceCachingFactory keeps one engine per registration, that is, per node container.
      container.register(CONSENSUS, {
        useFactory: instanceCachingFactory(
          (c) =>
            new PowConsensus({
              consensus: params.consensus,
              miners: options.miners ?? config.miners,
              batchMs: options.batchMs,
              niceness: options.niceness,
              log: c.resolve<Logger>(LOGGER).child({ plugin: 'consensus-pow' }),
            }),
        ),
      });
    },
  };
}

export { PowConsensus, DEFAULT_BATCH_MS, type PowConsensusOptions } from './pow-consensus.js';
export { asertTarget, asertRule, type AsertParams } from './asert.js';
export { cs60Rule, cs60Zeros, icbrt } from './cs60.js';
export { fixedRule } from './fixed.js';
export type { DifficultyRule } from './difficulty-rule.js';
export { SealError } from './errors.js';
export { MinerPool, DEFAULT_MINER_NICENESS, type MinerPoolOptions, type Found } from './miner-pool.js';
export { MAX_TARGET, bigIntToTarget, leadingZerosTarget, targetToBigInt, workOf } from './target.js';
