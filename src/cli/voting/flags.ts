import { Flags } from '@oclif/core';
import { integerFlag } from '../flags.js';

/** Flags of commands that submit a transaction and, by default, wait until it is counted. */
export const waitFlags = {
  wait: Flags.boolean({
    summary: 'Wait until the transaction is counted in a block (--no-wait returns once the node accepted it).',
    default: true,
    allowNo: true,
  }),
  timeout: integerFlag({ summary: 'Seconds to wait for the block before giving up. [default: 120]' }),
};

export const electionFlag = Flags.string({ summary: 'Election id.', default: 'default' });

export function waitTimeoutMs(timeout: number | undefined): number | undefined {
  return timeout === undefined ? undefined : Math.max(1, timeout) * 1000;
}
