import path from 'node:path';
import { FAULTS, type FaultRunner } from '../../plugins/faults/index.js';
import { commandLogOptions, createCommandLog, type LogFileFlagValues } from '../command-log.js';
import { lineEmitter, type Emit } from '../emit.js';
import { installLastDefence } from '../last-defence.js';
import { assembleNode, startNode, type AssembledNode, type NodeFlagValues } from '../node-assembly.js';
import { untilStopSignal } from '../stop-signal.js';
import { followNode, type TipTracker } from './follow.js';
import { printStarted, printStopped } from './report.js';

/** A node's own log file, in its data dir unless `--log-file` says otherwise. */
export const NODE_LOG = 'node.log';

/**
 * `cairn node start`: assembles the node from its flags, prints its events, starts it, and runs
 * until SIGINT or SIGTERM, then stops it and prints where it stopped. Its structured log goes
 * to stderr at `--log-level` and to the data dir's node.log at info (or more).
 */
export async function runNodeStart(flags: NodeFlagValues & LogFileFlagValues, json: boolean, emit: Emit = lineEmitter()): Promise<void> {
  const assembled = await assembleNode(
    flags,
    {},
    (config) => createCommandLog(commandLogOptions(flags, path.join(config.dataDir, NODE_LOG))).logger,
  );
  const { node } = assembled;
  const stopped = untilStopSignal();
  installLastDefence(node.log, 'node', () => node.stop());
  const seen = followNode(node, json, emit);

  try {
    await startNode(assembled);
  } catch (err) {
    // The command itself says why in one line; at info the record reaches node.log, not a
    // second copy on the terminal at the default --log-level.
    node.log.info({ code: (err as { code?: string }).code, err: (err as Error).message }, 'node failed to start');
    throw err;
  }
  announceStarted(assembled, flags, json, emit, seen);

  const signal = await keptAlive(stopped);
  node.log.info({ signal }, 'node stopping');
  await node.stop();
  node.log.info({ height: seen.last.height, tip: seen.last.hash.slice(0, 12) }, 'node stopped');
  printStopped(emit, json, signal, seen.last);
}

/** Prints the `started` line(s); a tip the events have not shown yet becomes the last one seen. */
function announceStarted(assembled: AssembledNode, flags: NodeFlagValues, json: boolean, emit: Emit, seen: TipTracker): void {
  const { node, config } = assembled;
  const tip = node.chain.tip();
  const address = node.transportAddress();
  const api = node.apiUrl();
  const faults = flags.fault?.length ? node.resolve<FaultRunner>(FAULTS) : undefined;
  if (tip.height >= seen.last.height) seen.last = { height: tip.height, hash: tip.hash };
  node.log.info(
    { chainId: node.chainId, height: tip.height, tip: tip.hash.slice(0, 12), address, api, mine: config.mine, faults: flags.fault },
    'node started',
  );
  printStarted(emit, json, { chainId: node.chainId, tip, config, address, api, faults });
}

/** A solo node that does not mine holds no socket or timer: without this it would end before the signal. */
async function keptAlive<T>(until: Promise<T>): Promise<T> {
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const value = await until;
  clearInterval(keepAlive);
  return value;
}
