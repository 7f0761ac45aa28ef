import { Flags } from '@oclif/core';
import { ConfigError } from '../../kernel/index.js';

/** Most seconds a command waits for its block: a day. */
const MAX_TIMEOUT_S = 86_400;

/** `--timeout 0` would give up before any block could come: refused, not quietly made 1 s. */
const timeoutFlag = Flags.custom<number>({
  async parse(input) {
    const seconds = Number(input);
    if (!/^-?\d+$/.test(input.trim()) || seconds < 1 || seconds > MAX_TIMEOUT_S)
      throw new ConfigError('CONFIG_INVALID', `--timeout must be a whole number of seconds from 1 to ${MAX_TIMEOUT_S}, not '${input}'`);
    return seconds;
  },
});

/** Flags of commands that submit a transaction and, by default, wait until it is counted. */
export const waitFlags = {
  wait: Flags.boolean({
    summary: 'Wait until the transaction is counted in a block (--no-wait returns once the node accepted it).',
    default: true,
    allowNo: true,
  }),
  timeout: timeoutFlag({ summary: 'Seconds to wait for the block before giving up. [default: 120]' }),
  confirmations: Flags.integer({
    summary: "Wait until the transaction's block has N confirmations on the node's best chain (1: the block itself).",
    helpValue: 'N',
    default: 1,
    min: 1,
    max: 1000,
  }),
};

export function waitTimeoutMs(timeout: number | undefined): number | undefined {
  return timeout === undefined ? undefined : timeout * 1000;
}
