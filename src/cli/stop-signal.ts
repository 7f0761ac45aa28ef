/** How often a child of the devnet looks whether its parent is still there. */
const PARENT_POLL_MS = 500;

/**
 * Resolves with the first SIGINT or SIGTERM. Call it before starting anything, so that a
 * Ctrl-C during start-up still ends in a clean stop rather than Node's default exit.
 *
 * A process started with CAIRN_PARENT_PID (the devnet's children) also stops, as on SIGHUP,
 * once that parent is gone: a devnet killed with SIGKILL cannot stop its children, and they
 * run in their own process group, so nothing else would ever end them.
 */
export function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (signal: NodeJS.Signals) => {
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      if (timer) clearInterval(timer);
      resolve(signal);
    };
    process.on('SIGINT', finish);
    process.on('SIGTERM', finish);
    const parent = Number(process.env.CAIRN_PARENT_PID);
    if (Number.isSafeInteger(parent) && parent > 1) {
      // An orphan is adopted by init or a subreaper: its parent id changes.
      timer = setInterval(() => {
        if (process.ppid !== parent) finish('SIGHUP');
      }, PARENT_POLL_MS);
      timer.unref();
    }
  });
}
