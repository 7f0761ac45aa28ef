import type { ChainReader } from '../chain/index.js';

type Chain = Pick<ChainReader, 'height' | 'hashAt' | 'entry' | 'isOnBestChain'>;

/**
 * Hashes of our best chain at exponentially growing distances from the tip (Bitcoin's block
 * locator): a peer finds our fork point in one round trip whatever our height.
 */
export function blockLocator(tree: Chain): string[] {
  const hashes: string[] = [];
  let step = 1;
  for (let h = tree.height(); h > 0; h -= step) {
    hashes.push(tree.hashAt(h)!);
    if (hashes.length >= 10) step *= 2;
  }
  hashes.push(tree.hashAt(0)!);
  return hashes.slice(0, 64);
}

/** The best-chain height of the first locator hash we have on our best chain (0 = genesis). */
export function forkHeight(tree: Chain, locator: readonly string[]): number {
  for (const hash of locator) {
    const entry = tree.entry(hash);
    if (entry && tree.isOnBestChain(hash)) return entry.header.height;
  }
  return 0;
}
