import { randomBytes, timingSafeEqual } from 'node:crypto';
import { encodeHandshake } from '../../kernel/index.js';
import type { ProbeSender, ProbeTarget } from './prober.js';

export interface ProbeSchedule {
  /** Wait before the first retry; each later wait doubles, up to `maxRetryMs`. */
  retryMs: number;
  maxRetryMs: number;
  /** Probes sent in all; after the last one the check waits one more interval, then gives up. */
  attempts: number;
}

export const DEFAULT_PROBE_SCHEDULE: ProbeSchedule = { retryMs: 250, maxRetryMs: 4000, attempts: 6 };

/**
 * Proves that a registered address receives: a random token is sent to it over the
 * registration's transport, and only the process that owns that port can read it and echo it
 * over its tracker connection. A co-hosted process claiming another's port never sees the
 * token. UDP may lose the probe, so it is sent again with backoff (0, 250, 750, 1750, 3750,
 * 7750 ms by default) before the check gives up.
 */
export class ReachabilityCheck {
  readonly token = randomBytes(16).toString('hex');
  private readonly expected = Buffer.from(this.token, 'hex');
  private sent = 0;
  private timer: NodeJS.Timeout | undefined;
  private done = false;

  constructor(
    private readonly target: ProbeTarget,
    private readonly send: ProbeSender | undefined,
    private readonly schedule: ProbeSchedule,
    private readonly onGiveUp: () => void,
  ) {}

  get probesSent(): number {
    return this.sent;
  }

  start(): void {
    this.fire();
  }

  /** Whether `token` is this check's; constant-time, as any secret comparison. */
  matches(token: string): boolean {
    if (this.done) return false;
    const given = Buffer.from(token, 'hex');
    return given.length === this.expected.length && timingSafeEqual(given, this.expected);
  }

  stop(): void {
    this.done = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fire(): void {
    if (this.done) return;
    if (this.send) {
      this.sent++;
      this.send(this.target, encodeHandshake({ t: 'probe', token: this.token }));
    }
    const wait = Math.min(this.schedule.maxRetryMs, this.schedule.retryMs * 2 ** Math.max(0, this.sent - 1));
    const last = !this.send || this.sent >= this.schedule.attempts;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!last) return this.fire();
      this.done = true;
      this.onGiveUp();
    }, wait);
    this.timer.unref();
  }
}
