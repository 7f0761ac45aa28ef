import type { Logger } from 'pino';
import { TrackerError } from '../errors.js';
import type { ProbeSender } from '../prober.js';
import { DEFAULT_PROBE_SCHEDULE, ReachabilityCheck, type ProbeSchedule } from '../reachability.js';
import type { Registration, ServerCounters } from './state.js';

/** The default schedule with the given retries; refuses a schedule that cannot verify anyone. */
export function resolveSchedule(overrides: Partial<ProbeSchedule> | undefined): ProbeSchedule {
  const schedule = { ...DEFAULT_PROBE_SCHEDULE, ...overrides };
  const { retryMs, maxRetryMs, attempts } = schedule;
  if (!(retryMs >= 1 && maxRetryMs >= retryMs && Number.isInteger(attempts) && attempts >= 1 && attempts <= 20))
    throw new TrackerError('TRACKER_BAD_OPTION', 'the probe schedule needs retryMs >= 1, maxRetryMs >= retryMs and 1-20 attempts');
  return schedule;
}

/**
 * Reachability checks of registrations: one per registration, probing its address over its
 * transport until the token comes back over its connection or the schedule runs out.
 */
export class Probes {
  constructor(
    private readonly sender: ProbeSender | undefined,
    private readonly schedule: ProbeSchedule,
    private readonly counters: ServerCounters,
    private readonly log: Logger,
  ) {}

  /** Starts the registration's check; `onGiveUp` runs if nobody ever echoes. */
  start(registration: Registration, onGiveUp: () => void): void {
    const target = { ...registration.address, transport: registration.transport };
    const check = new ReachabilityCheck(target, this.sender && this.countedProbe, this.schedule, onGiveUp);
    registration.check = check;
    check.start();
  }

  /**
   * Whether `token` is the pending check's of this registration, echoed over the connection
   * that registered (so the address receives); if so the check is over and it is reachable.
   */
  confirm(registration: Registration | undefined, token: string): registration is Registration {
    if (!registration?.check?.matches(token)) {
      // Not an error: a client echoes every probe that reaches it from our host, forged ones too.
      this.counters.echoesIgnored++;
      return false;
    }
    this.stop(registration);
    registration.reachable = true;
    return true;
  }

  stop(registration: Registration): void {
    registration.check?.stop();
    registration.check = undefined;
  }

  private readonly countedProbe: ProbeSender = (target, bytes) => {
    this.counters.probes++;
    try {
      this.sender!(target, bytes);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'probe sender failed');
    }
  };
}
