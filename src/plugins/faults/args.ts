import { FaultError } from './errors.js';

/** Argument parsers shared by the behaviours; each failure is one sentence naming the fault. */

const bad = (name: string, message: string) => new FaultError('FAULT_BAD_ARG', `--fault ${name}: ${message}`, { fault: name });

export function noArg(name: string) {
  return (arg: string | undefined): undefined => {
    if (arg !== undefined) throw bad(name, `takes no argument (got '${arg}')`);
    return undefined;
  };
}

/** A probability from 0 to 1 (`0.2`) or a percentage (`20%`). */
export function probability(name: string) {
  return (arg: string | undefined): number => {
    if (arg === undefined) throw bad(name, 'needs a probability, e.g. 0.2 or 20%');
    const percent = arg.endsWith('%');
    const value = Number(percent ? arg.slice(0, -1) : arg) / (percent ? 100 : 1);
    if (arg.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1)
      throw bad(name, `'${arg}' is not a probability from 0 to 1 (or 0% to 100%)`);
    return value;
  };
}

/** A whole number in [min, max], with a default when the argument is left out. */
export function integer(name: string, what: string, fallback: number | undefined, min: number, max: number) {
  return (arg: string | undefined): number => {
    if (arg === undefined) {
      if (fallback === undefined) throw bad(name, `needs ${what}`);
      return fallback;
    }
    const value = Number(arg);
    if (!/^\d+$/.test(arg) || !Number.isSafeInteger(value) || value < min || value > max)
      throw bad(name, `${what} must be a whole number from ${min} to ${max}, not '${arg}'`);
    return value;
  };
}

export interface Delay {
  ms: number;
  jitterMs: number;
}

/** `MS` or `MS±J` (`+-` also accepted): a delay and how far it may stray either way. */
export function delay(name: string) {
  return (arg: string | undefined): Delay => {
    const match = arg === undefined ? null : /^(\d+)(?:(?:±|\+-|\+\/-)(\d+))?$/.exec(arg);
    if (!match) throw bad(name, `'${arg ?? ''}' is not a delay: MS or MS±J in milliseconds, e.g. 50 or 50±20`);
    const ms = Number(match[1]);
    const jitterMs = Number(match[2] ?? 0);
    if (ms > 60_000 || jitterMs > ms) throw bad(name, 'the delay must be at most 60000 ms and the jitter at most the delay');
    return { ms, jitterMs };
  };
}

/** `HOST:PORT[,HOST:PORT...]`: the peers a partition cuts this node off from. */
export function peerList(name: string) {
  return (arg: string | undefined): string[] => {
    const list = (arg ?? '').split(',').map((s) => s.trim());
    if (!arg || list.some((p) => !/^[^\s:,]+:\d{1,5}$/.test(p) || Number(p.split(':').pop()) > 65535))
      throw bad(name, `'${arg ?? ''}' is not a comma-separated list of HOST:PORT peers`);
    return list;
  };
}

export interface Pause {
  ms: number;
  afterMs: number;
}

/** `MS[@AFTER]`: stop for MS milliseconds, AFTER ms after the node started (default 3000). */
export function pause(name: string) {
  return (arg: string | undefined): Pause => {
    const match = arg === undefined ? null : /^(\d+)(?:@(\d+))?$/.exec(arg);
    if (!match) throw bad(name, `'${arg ?? ''}' is not MS[@AFTER] in milliseconds, e.g. 2000 or 2000@5000`);
    const ms = Number(match[1]);
    const afterMs = Number(match[2] ?? 3000);
    if (ms < 1 || ms > 600_000 || afterMs > 3_600_000) throw bad(name, 'the pause must be 1 to 600000 ms, starting at most an hour in');
    return { ms, afterMs };
  };
}
