import { PROTOCOL_VERSION, type ChainEngine, type Message } from '../../../kernel/index.js';

type Hello = Extract<Message, { t: 'hello' | 'hello-ack' }>;

/**
 * A hello that claims `extraBlocks` more blocks (and their work) than this node has: what
 * makes an honest peer sync from it.
 */
export function inflatedHello(chain: ChainEngine, t: Hello['t'], extraBlocks: number): Hello {
  const tip = chain.tip();
  const extra = chain.consensus.work(tip.header.target) * BigInt(extraBlocks);
  return {
    t,
    version: PROTOCOL_VERSION,
    chainId: chain.chainId,
    tip: tip.hash,
    height: tip.height + extraBlocks,
    work: (tip.totalWork + extra).toString(16),
  };
}
