import type { SecretElectionView } from '../../apps/voting/index.js';
import { CairnError } from '../../kernel/index.js';
import type { TxProgress } from '../tx/tx-client.js';
import type { CeremonyProgress, SecretElectionClient } from './secret-client.js';

export interface CeremonyRunOptions {
  /** Give up when the ceremony is not over by then. */
  timeoutMs: number;
  /** Between two reads of the node while the other trustees have not posted. */
  pollMs?: number;
  onStep?: (step: CeremonyProgress) => void;
  onProgress?: (progress: TxProgress) => void;
  signal?: AbortSignal;
}

/**
 * Drives one trustee through the ceremony: post its message of the round, wait until a block
 * counts it, then wait for the round to end and go on, until the phase is `voting` or
 * `failed`. Everything is read from the chain each time, so a second run picks up where the
 * chain is; a message this trustee posted in an earlier run and that the chain counted first
 * (CEREMONY_DUPLICATE) is not an error.
 */
export async function runTrusteeCeremony(
  client: SecretElectionClient,
  election: string,
  trustee: string,
  options: CeremonyRunOptions,
): Promise<SecretElectionView> {
  const deadline = Date.now() + options.timeoutMs;
  const pollMs = options.pollMs ?? 250;
  let lastWait = '';
  for (;;) {
    if (options.signal?.aborted) throw new CairnError('WAIT_STOPPED', 'stopped waiting for the other trustees');
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      const view = await client.view(election);
      throw new CairnError(
        'CEREMONY_TIMEOUT',
        `the key ceremony of election '${election}' is not over after ${Math.round(options.timeoutMs / 1000)} s: still in round '${view.phase}', ${view.posted.length} of ${view.trustees.length} trustees posted (run this again to go on)`,
      );
    }
    let step: CeremonyProgress;
    try {
      step = await client.ceremonyStep(election, trustee, {
        timeoutMs: remaining,
        onProgress: options.onProgress,
        signal: options.signal,
      });
    } catch (err) {
      // Its message from an earlier run got there first: wait for the chain to show it.
      if (!(err instanceof CairnError && (err.code === 'CEREMONY_DUPLICATE' || err.code === 'TX_DROPPED'))) throw err;
      await sleep(pollMs, options.signal);
      continue;
    }
    if ('done' in step) {
      options.onStep?.(step);
      return client.view(election);
    }
    if ('waiting' in step) {
      if (step.waiting !== lastWait) options.onStep?.(step);
      lastWait = step.waiting;
      await sleep(Math.min(pollMs, Math.max(0, remaining)), options.signal);
      continue;
    }
    lastWait = '';
    options.onStep?.(step);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
