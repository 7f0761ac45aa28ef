import { announceNoServe } from './behaviours/announce-no-serve.js';
import { badHeight } from './behaviours/bad-height.js';
import { badPow } from './behaviours/bad-pow.js';
import { badTarget } from './behaviours/bad-target.js';
import { badTxRoot } from './behaviours/bad-tx-root.js';
import { bogusPeers } from './behaviours/bogus-peers.js';
import { brokenLink } from './behaviours/broken-link.js';
import { crashMidWrite, crashWhileMining, pause } from './behaviours/crash.js';
import { diskFull } from './behaviours/disk-full.js';
import { duplicateTx } from './behaviours/duplicate-tx.js';
import { equivocation } from './behaviours/equivocation.js';
import { forgedSignature } from './behaviours/forged-signature.js';
import { futureTime } from './behaviours/future-time.js';
import { invalidTxBlock } from './behaviours/invalid-tx-block.js';
import { lessWorkChain } from './behaviours/less-work-chain.js';
import { corrupt, delayFault, drop, duplicate, partition, reorder } from './behaviours/link.js';
import { malformedTx } from './behaviours/malformed-tx.js';
import { oversized } from './behaviours/oversized.js';
import { randomBytesFault } from './behaviours/random-bytes.js';
import { repeatedHello } from './behaviours/repeated-hello.js';
import { truncated } from './behaviours/truncated.js';
import { txFlood } from './behaviours/tx-flood.js';
import { unknownType } from './behaviours/unknown-type.js';
import { withholding } from './behaviours/withholding.js';
import { wrongChain } from './behaviours/wrong-chain.js';
import { FaultError } from './errors.js';
import type { FaultBehaviour, FaultSpec } from './types.js';

/**
 * The plugin's own behaviours, in the order `cairn faults list` shows them; apps ship the
 * faults of their own transactions (`ChainApp.faults`, see faultCatalogue).
 */
export const FAULT_BEHAVIOURS: readonly FaultBehaviour<unknown>[] = [
  badPow,
  brokenLink,
  badTarget,
  badHeight,
  badTxRoot,
  duplicateTx,
  futureTime,
  invalidTxBlock,
  lessWorkChain,
  equivocation,
  withholding,
  announceNoServe,
  malformedTx,
  forgedSignature,
  txFlood,
  randomBytesFault,
  truncated,
  oversized,
  unknownType,
  wrongChain,
  repeatedHello,
  bogusPeers,
  drop,
  delayFault,
  duplicate,
  reorder,
  corrupt,
  partition,
  crashWhileMining,
  crashMidWrite,
  pause,
  diskFull,
];

const byName = new Map(FAULT_BEHAVIOURS.map((b) => [b.name, b]));

export function faultNames(catalogue: readonly FaultBehaviour<unknown>[] = FAULT_BEHAVIOURS): string[] {
  return catalogue.map((b) => b.name);
}

export function findFault(name: string): FaultBehaviour<unknown> | undefined {
  return byName.get(name);
}

/** `NAME` or `NAME=ARG`, as typed after `--fault`. */
export function parseFaultSpec(text: string): FaultSpec {
  const eq = text.indexOf('=');
  return eq < 0 ? { name: text.trim() } : { name: text.slice(0, eq).trim(), arg: text.slice(eq + 1).trim() };
}

export interface ResolvedFault {
  behaviour: FaultBehaviour<unknown>;
  spec: FaultSpec;
  value: unknown;
}

/**
 * Looks up and validates each fault in `catalogue` (default: the plugin's own); an unknown name
 * or a bad argument is one FaultError sentence.
 */
export function resolveFaults(
  specs: ReadonlyArray<FaultSpec | string>,
  catalogue: readonly FaultBehaviour<unknown>[] = FAULT_BEHAVIOURS,
): ResolvedFault[] {
  const names = new Map(catalogue.map((b) => [b.name, b]));
  return specs.map((s) => {
    const spec = typeof s === 'string' ? parseFaultSpec(s) : s;
    const behaviour = names.get(spec.name);
    if (!behaviour)
      throw new FaultError('FAULT_UNKNOWN', `unknown fault '${spec.name}'; the faults are: ${faultNames(catalogue).join(', ')}`, {
        fault: spec.name,
      });
    return { behaviour, spec, value: behaviour.parse(spec.arg) };
  });
}

/** `name=arg` for messages. */
export function formatFault(spec: FaultSpec): string {
  return spec.arg === undefined ? spec.name : `${spec.name}=${spec.arg}`;
}
