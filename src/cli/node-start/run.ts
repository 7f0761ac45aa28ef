import { FAULTS, type FaultRunner } from '../../plugins/faults/index.js';
import { lineEmitter, type Emit } from '../emit.js';
import { installLastDefence } from '../last-defence.js';
import { assembleNode, startNode, type AssembledNode, type NodeFlagValues } from '../node-assembly.js';
import { untilStopSignal } from '../stop-signal.js';
import { followNode, type TipTracker } from './follow.js';
import { printStarted, printStopped } from './report.js';

/**
 * `cairn node start`: assembles the node from its flags, prints its events, starts it, and runs
 * until SIGINT or SIGTERM, then stops it and prints where it stopped.
 */
export async function runNodeStart(flags: NodeFlagValues, json: boolean, emit: Emit = lineEmitter()): Promise<void> {
  const assembled = await assembleNode(flags);
  const { node } = assembled;
  const stopped = untilStopSignal();
  installLastDefence(node.log, 'node', () => node.stop());
  const seen = followNode(node, json, emit);

  await startNode(assembled);
  announceStarted(assembled, flags, json, emit, seen);

  const signal = await keptAlive(stopped);
  await node.stop();
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
  printStarted(emit, json, { chainId: node.chainId, tip, config, address, api, faults });
}

/** A solo node that does not mine holds no socket or timer: without this it would end before the signal. */
async function keptAlive<T>(until: Promise<T>): Promise<T> {
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const value = await until;
  clearInterval(keepAlive);
  return value;
}
