import { commandLogOptions, createCommandLog, type LogFileFlagValues } from '../command-log.js';
import { TrackerError, TrackerServer, TransportProber } from '../../plugins/tracker/index.js';
import { lineEmitter, type Emit } from '../emit.js';
import { installLastDefence } from '../last-defence.js';
import { untilStopSignal } from '../stop-signal.js';
import type { TrackerOptions } from './options.js';
import { printMembership, printTrackerStarted, printTrackerStopped } from './report.js';
import { openProbeTransport } from '../probe-transports.js';

/**
 * `cairn tracker start`: listens, prints every membership change, and runs until SIGINT or
 * SIGTERM, then stops and says how many peers it released. Its structured log goes to stderr at
 * `--log-level` and, when `--log-file` names one, to that file at info (or more).
 */
export async function runTracker(
  options: TrackerOptions,
  log: LogFileFlagValues,
  json: boolean,
  emit: Emit = lineEmitter(),
): Promise<void> {
  const { host, port, ttlMs } = options;
  // A tracker keeps nothing in a data dir: it writes a file only when asked to.
  const { logger } = createCommandLog(commandLogOptions(log, undefined));
  const prober = new TransportProber({ open: openProbeTransport, logger: logger.child({ part: 'prober' }) });
  const server = new TrackerServer({ host, port, ttlMs, logger, onMembership: (c) => printMembership(emit, json, c), probe: prober.send });

  // Listen for signals first: a Ctrl-C during start still stops cleanly.
  const stopped = untilStopSignal();
  installLastDefence(logger, 'tracker', () => server.stop());

  const address = await server.start();
  try {
    // Probes leave from the address the tracker is bound to: clients accept them only from the host they dialled.
    await prober.start(address.host);
  } catch (err) {
    await server.stop();
    throw new TrackerError(
      'TRACKER_LISTEN_FAILED',
      `the tracker cannot open its UDP probe socket on ${address.host}: ${(err as Error).message}`,
    );
  }
  printTrackerStarted(emit, json, address, ttlMs);

  const signal = await stopped;
  const status = server.status();
  logger.info({ signal, peers: status.peers, networks: status.networks, evicted: status.evicted }, 'tracker stopping');
  await server.stop();
  await prober.stop();
  printTrackerStopped(emit, json, signal, status);
}
