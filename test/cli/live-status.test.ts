import { describe, expect, it } from 'vitest';
import { statusLine, summarize } from '../../src/cli/devnet/live-status.js';
import type { NodeStatusResult } from '../../src/cli/devnet/devnet.js';

const tip = 'ab'.repeat(32);
const node = (rejections: Record<string, number>): NodeStatusResult =>
  ({ index: 0, status: { height: 12, tip, peers: 3, mempool: 0, syncing: false, rejections } }) as unknown as NodeStatusResult;

describe('devnet live status', () => {
  it('a healthy devnet shows no rejections: blocks it had already (an ignore verdict) blame nobody', () => {
    const healthy = summarize(node({ BLOCK_KNOWN: 10, TX_KNOWN: 2 }));
    expect(healthy.rejections).toBe(0);
    expect(statusLine(healthy)).not.toContain('rejections');
  });

  it('counts what cost the sender, an app rule included', () => {
    const line = statusLine(summarize(node({ BLOCK_KNOWN: 10, BLOCK_BAD_POW: 2, BALLOT_DUPLICATE: 1 })));
    expect(line).toMatch(/ rejections 3$/);
  });
});
