import type { Devnet } from './devnet.js';

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Ctrl-C, SIGTERM and SIGHUP while a devnet runs. Installed before the children start, so a
 * Ctrl-C while they start still stops them. A second signal kills every child at once.
 */
export class DevnetSignals {
  /** The first signal received. */
  signal?: NodeJS.Signals;
  /** Set once the devnet has started: from then on the session, not the signal, stops it. */
  started = false;
  /** The vote prompt handles its own Ctrl-C (it ends the prompt, which then stops the devnet). */
  promptActive = false;
  /** Resolves with the first signal. */
  readonly stopRequested: Promise<void>;
  private wake: () => void = () => undefined;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    if (signal === 'SIGINT' && this.promptActive) return;
    if (this.signal) {
      this.devnet.killNow();
      return;
    }
    this.signal = signal;
    this.wake();
    // While starting, stopping aborts the start; once running, the session stops the status first.
    if (!this.started) void this.devnet.stop();
  };

  constructor(private readonly devnet: Pick<Devnet, 'stop' | 'killNow'>) {
    this.stopRequested = new Promise<void>((resolve) => (this.wake = resolve));
  }

  install(): void {
    for (const s of SIGNALS) process.on(s, this.onSignal);
  }

  dispose(): void {
    for (const s of SIGNALS) process.off(s, this.onSignal);
  }
}
