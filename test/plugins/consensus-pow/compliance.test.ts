import { pino } from 'pino';
import { container as rootContainer } from 'tsyringe';
import { CONSENSUS, LOGGER, type ChainParams, type Consensus } from '../../../src/kernel/index.js';
import { PowConsensus, powConsensus } from '../../../src/plugins/consensus-pow/index.js';
import { describeConsensusCompliance } from '../../../src/testing/index.js';
import { vitestApi } from '../vitest-compliance.js';

/** One hash in 256 meets it: sealed in a millisecond, missed by most tampering. */
const EASY = '00' + 'f'.repeat(62);

const params = (policy: ChainParams['consensus']['policy'], initialTarget = EASY): ChainParams['consensus'] => ({
  policy,
  blockTimeMs: 1000,
  initialTarget,
  halfLifeMs: 60_000,
});

/** The engine as a node gets it: resolved from a container the plugin registered in. */
function fromPlugin(consensus: ChainParams['consensus']): Consensus {
  const container = rootContainer.createChildContainer();
  container.register(LOGGER, { useValue: pino({ level: 'silent' }) });
  powConsensus({ miners: 1 }).register(container, { config: { miners: 1 } as never, params: { consensus } as ChainParams });
  return container.resolve<Consensus>(CONSENSUS);
}

describeConsensusCompliance(vitestApi, 'consensus-pow, fixed', async () => ({
  consensus: fromPlugin(params('fixed')),
  easyTarget: EASY,
  initialTarget: EASY,
}));

describeConsensusCompliance(vitestApi, 'consensus-pow, asert', async () => ({
  consensus: new PowConsensus({ consensus: params('asert'), miners: 1 }),
  easyTarget: EASY,
  initialTarget: EASY,
  blockTimeMs: 1000,
}));

// cs60 asks for more zeros as the chain grows, from the first block on: it fixes no initial target.
describeConsensusCompliance(vitestApi, 'consensus-pow, cs60', async () => ({
  consensus: new PowConsensus({ consensus: params('cs60', '000' + 'f'.repeat(61)), miners: 1 }),
  easyTarget: '000' + 'f'.repeat(61),
}));
