import { PROTOCOL_VERSION, type ChainEngine } from '../../../kernel/index.js';

export interface ChainClaim {
  version: number;
  chainId: string;
  tip: string;
  height: number;
  work: string;
}

/**
 * The chain claim of this node with `extraBlocks` more blocks (and their work) than it has:
 * what makes an honest peer sync from it. Sent as a `status`, or written over the claim of
 * an outgoing `hello-ack` or `status`.
 */
export function inflatedClaim(chain: ChainEngine, extraBlocks: number): ChainClaim {
  const tip = chain.tip();
  const extra = chain.consensus.work(tip.header.target) * BigInt(extraBlocks);
  return {
    version: PROTOCOL_VERSION,
    chainId: chain.chainId,
    tip: tip.hash,
    height: tip.height + extraBlocks,
    work: (tip.totalWork + extra).toString(16),
  };
}

export function inflatedStatus(chain: ChainEngine, extraBlocks: number): ChainClaim & { t: 'status' } {
  return { t: 'status', ...inflatedClaim(chain, extraBlocks) };
}
