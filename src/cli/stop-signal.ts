/**
 * Resolves with the first SIGINT or SIGTERM. Call it before starting anything, so that a
 * Ctrl-C during start-up still ends in a clean stop rather than Node's default exit.
 */
export function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
