import type { PeerAddress } from '../../../kernel/index.js';
import { normalizeHost, PROBE_TOKEN } from '../messages.js';

/**
 * Which reachability probes are echoed to the tracker: only one that can be the tracker's own
 * (from the host we dialled, while our registration is unverified, within the window, at most
 * `maxEchoes` per registration and each token once). Anything else is dropped, so a forged
 * probe costs the tracker at most `maxEchoes` small messages per registration.
 */
export class ProbeEchoes {
  /** The tracker's address as this connection reached it: probes from any other host are not the tracker's. */
  private trackerHost: string | undefined;
  /** Set from sending `register` until the tracker says we are reachable, the window ends or the bound is hit. */
  private pendingUntil = 0;
  private echoesThisRegistration = 0;
  private readonly echoedTokens = new Set<string>();
  readonly counters = { echoes: 0, probesIgnored: 0 };

  constructor(
    private readonly windowMs: number,
    private readonly maxEchoes: number,
  ) {}

  /** A registration is being sent over a new connection to `trackerHost`: its window opens. */
  opened(trackerHost: string): void {
    this.trackerHost = normalizeHost(trackerHost);
    this.pendingUntil = Date.now() + this.windowMs;
    this.echoesThisRegistration = 0;
    this.echoedTokens.clear();
  }

  /** Nothing is pending any more: the tracker verified us, or the connection is gone. */
  close(): void {
    this.pendingUntil = 0;
  }

  /** Whether to echo this probe over the tracker connection (`connected`: there is one); counts either way. */
  accept(token: string, from: PeerAddress, connected: boolean): boolean {
    const pending = connected && this.trackerHost !== undefined && Date.now() < this.pendingUntil;
    if (
      !pending ||
      typeof token !== 'string' ||
      !PROBE_TOKEN.test(token) ||
      normalizeHost(String(from?.host)) !== this.trackerHost ||
      this.echoedTokens.has(token)
    ) {
      this.counters.probesIgnored++;
      return false;
    }
    if (this.echoesThisRegistration >= this.maxEchoes) {
      this.counters.probesIgnored++;
      this.pendingUntil = 0;
      return false;
    }
    this.echoesThisRegistration++;
    this.echoedTokens.add(token);
    this.counters.echoes++;
    return true;
  }
}
