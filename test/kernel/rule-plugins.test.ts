import { afterEach, describe, expect, it } from 'vitest';
import {
  APPS,
  BLOCK_RULES,
  BlockRejection,
  BlockRules,
  CairnNode,
  CHAIN_PARAMS,
  chainIdOf,
  CONFIG,
  CONSENSUS,
  createLogger,
  needsOf,
  paramsFromFlags,
  parseNodeConfig,
  TX_RULES,
  TxRejection,
  TxRules,
  type Block,
  type ChainApp,
  type ChainParams,
  type Consensus,
  type NodeConfig,
  type Plugin,
  type Tx,
} from '../../src/kernel/index.js';
import { memoryStore } from '../../src/plugins/store-memory/index.js';
import { buildBlock, Signer, startNode } from '../support/chain-fixture.js';

/** Transaction rules of a stricter chain: no name may start with an x. */
class NoXNames extends TxRules {
  override checkStateless(tx: Tx, known?: string): string {
    if (String((tx.payload as { name?: unknown }).name).startsWith('x'))
      throw new TxRejection('TX_BAD_PAYLOAD', 'names starting with x are not taken here');
    return super.checkStateless(tx, known);
  }
}

/** Block rules of a chain that refuses empty blocks. */
class NoEmptyBlocks extends BlockRules {
  override structure(raw: unknown): Block {
    const block = super.structure(raw);
    if (block.txs.length === 0) throw new BlockRejection('BLOCK_MALFORMED', 'this chain takes no empty blocks');
    return block;
  }
}

const txRulesPlugin: Plugin = {
  name: 'no-x-names',
  provides: [TX_RULES],
  needs: [APPS, CHAIN_PARAMS],
  register: (c) =>
    c.register(TX_RULES, {
      useValue: new NoXNames(c.resolve<ChainApp[]>(APPS), chainIdOf(c.resolve<ChainParams>(CHAIN_PARAMS))),
    }),
};

const blockRulesPlugin: Plugin = {
  name: 'no-empty-blocks',
  provides: [BLOCK_RULES],
  needs: needsOf(BlockRules),
  register: (c) =>
    c.register(BLOCK_RULES, {
      useFactory: (r) => new NoEmptyBlocks(r.resolve<Consensus>(CONSENSUS), r.resolve<TxRules>(TX_RULES), r.resolve<NodeConfig>(CONFIG)),
    }),
};

describe('rules provided by a plugin', () => {
  let node: CairnNode | undefined;
  afterEach(() => node?.stop());

  it('the kernel derives the block rules’ needs from their constructor', () => {
    expect(needsOf(BlockRules)).toEqual([CONSENSUS, TX_RULES, CONFIG]);
  });

  it('a need read from a constructor is checked before anything starts', () => {
    const config = parseNodeConfig({ dataDir: '/nonexistent', logLevel: 'silent' });
    const params = paramsFromFlags({
      difficulty: config.difficulty,
      blockTime: config.blockTime,
      initialTarget: config.initialTarget,
      apps: [],
    });
    const create = () => CairnNode.create({ config, params, apps: [], plugins: [memoryStore()], logger: createLogger('silent') });
    expect(create).toThrow(
      expect.objectContaining({ code: 'WIRING_MISSING', message: "plugin 'chain' needs consensus, which no plugin provides" }),
    );
  });

  it('TX_RULES from a plugin replaces the kernel’s, for the mempool and for blocks alike', async () => {
    node = await startNode({ plugins: [txRulesPlugin] });
    expect(node.txRules).toBeInstanceOf(NoXNames);
    const alice = new Signer(node.chainId);
    await expect(node.mempool.add(alice.claim('xena'))).rejects.toMatchObject({ code: 'TX_BAD_PAYLOAD' });
    await expect(node.chain.submitBlock(buildBlock(node, [alice.claim('xavier')]))).rejects.toMatchObject({
      code: 'BLOCK_BAD_TX',
      message: expect.stringContaining('starting with x'),
    });
    await node.mempool.add(alice.claim('ada'));
    expect((await node.chain.submitBlock(buildBlock(node, [alice.claim('bob')]))).status).toBe('connected');
  });

  it('BLOCK_RULES from a plugin replaces the kernel’s', async () => {
    node = await startNode({ plugins: [blockRulesPlugin] });
    expect(node.blockRules).toBeInstanceOf(NoEmptyBlocks);
    await expect(node.chain.submitBlock(buildBlock(node, []))).rejects.toMatchObject({ message: 'this chain takes no empty blocks' });
    const alice = new Signer(node.chainId);
    expect((await node.chain.submitBlock(buildBlock(node, [alice.claim('ada')]))).status).toBe('connected');
    expect(node.reader.height()).toBe(1);
  });

  it('without such plugins the kernel’s own rules are used', async () => {
    node = await startNode();
    expect(node.txRules.constructor).toBe(TxRules);
    expect(node.blockRules.constructor).toBe(BlockRules);
  });
});
