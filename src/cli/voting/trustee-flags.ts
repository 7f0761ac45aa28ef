import { Flags } from '@oclif/core';
import type { SecretElectionView } from '../../apps/voting/index.js';
import { ConfigError } from '../../kernel/index.js';

/** Flags of `cairn trustee ...`: which election, and which key of the keystore is the trustee. */
export const trusteeFlags = {
  election: Flags.string({ summary: 'Election id.', required: true }),
  key: Flags.string({
    summary: 'Key name of the trustee in the keystore: the key given to `election open --trustee` (its secrets derive from it).',
    required: true,
  }),
};

/** The whole ceremony can take as long as the slowest trustee: minutes, not a block's two. */
export const trusteeTimeoutFlag = Flags.custom<number>({
  summary: 'Seconds to wait for the whole ceremony (the other trustees included) before giving up.',
  default: 300,
  async parse(input) {
    const seconds = Number(input);
    if (!/^\d+$/.test(input.trim()) || seconds < 1 || seconds > 86_400)
      throw new ConfigError('CONFIG_INVALID', `--timeout must be a whole number of seconds from 1 to 86400, not '${input}'`);
    return seconds;
  },
})();

/** How the ceremony ended, in one sentence. */
export function ceremonyOutcome(view: SecretElectionView): string {
  if (view.phase === 'failed') return `the ceremony failed: ${view.failure}`;
  const out = view.disqualified.length ? ` (disqualified: ${view.disqualified.join(', ')})` : '';
  return `the election key is fixed: qualified trustees ${view.qualified.join(', ')}${out}; ballots are taken now`;
}
