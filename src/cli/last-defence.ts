import type { Logger } from 'pino';

/** Exit status of a process that stopped on an error nothing caught (BSD's EX_SOFTWARE). */
export const EXIT_UNEXPECTED = 70;

/**
 * The last line of defence of a long-running command (a node, a tracker, a devnet). Every
 * input is judged where it enters and failures become coded rejections, so nothing should
 * reach here; if something does, it must neither print a stack trace on a user's terminal nor
 * let one peer end the process.
 *
 * - A rejected promise nobody awaited is one failed piece of work (a message handler, a
 *   timer): it is logged with its origin and the process carries on.
 * - An exception thrown out of an event handler may have left state half-changed, so the
 *   process does not pretend otherwise: it logs, runs `shutdown` (bounded by a deadline),
 *   prints one sentence and exits with status 70.
 *
 * Returns a function that removes the handlers.
 */
export function installLastDefence(log: Logger, what: string, shutdown: () => Promise<void>): () => void {
  const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));
  const onRejection = (reason: unknown) => {
    log.error({ origin: 'unhandledRejection', err: describe(reason) }, `${what}: a failed task had no handler; carrying on`);
    log.debug({ stack: reason instanceof Error ? reason.stack : undefined }, 'unhandled rejection stack');
  };
  let exiting = false;
  const onException = (err: unknown) => {
    log.fatal({ origin: 'uncaughtException', err: describe(err) }, `${what}: an error escaped every handler; stopping`);
    log.debug({ stack: err instanceof Error ? err.stack : undefined }, 'uncaught exception stack');
    if (exiting) return;
    exiting = true;
    process.exitCode = EXIT_UNEXPECTED;
    const deadline = setTimeout(() => process.exit(EXIT_UNEXPECTED), 5000);
    deadline.unref();
    void shutdown()
      .catch(() => undefined)
      .finally(() => {
        process.stderr.write(`cairn ${what} stopped: unexpected error: ${describe(err)} (its log has the details)\n`);
        process.exit(EXIT_UNEXPECTED);
      });
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
