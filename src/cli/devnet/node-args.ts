import { DEFAULT_FILE_LEVEL, moreVerbose } from '../command-log.js';
import { faultArg, NODE_NAME, type ResolvedDevnetOptions } from './devnet-options.js';

/**
 * A child writes its own log file at info, or at the devnet's `--log-level` when more verbose,
 * and nothing to stderr: the devnet's terminal stays for its own lines, and the child's stderr
 * carries only what is not a log line (a crash), which the devnet appends to that file.
 */
function childLogArgs(o: ResolvedDevnetOptions): string[] {
  return ['--log-level', 'silent', '--log-file-level', moreVerbose(DEFAULT_FILE_LEVEL, o.logLevel)];
}

/** Where a devnet node finds its chain and its peers. */
export interface NodeArgsContext {
  dataDir: string;
  genesisFile: string;
  trackerAddress: string;
  /** The nodes started so far, by index: a fault naming one gets its transport address. */
  nodes: ReadonlyArray<{ readonly address: string }>;
}

/** Whether a node runs with the devnet's `--fault` flags: the last `malicious` ones do. */
export function isMalicious(o: ResolvedDevnetOptions, index: number): boolean {
  return index >= o.nodes - o.malicious;
}

/** The arguments of node `index`'s `cairn node start`. */
export function nodeStartArgs(o: ResolvedDevnetOptions, index: number, ctx: NodeArgsContext): string[] {
  const malicious = isMalicious(o, index);
  return [
    'node',
    'start',
    '--data-dir',
    ctx.dataDir,
    '--genesis',
    ctx.genesisFile,
    ...o.apps.flatMap((spec) => ['--app', spec]),
    '--transport',
    'udp',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--api-port',
    '0',
    '--tracker',
    ctx.trackerAddress,
    '--mine',
    'on-demand',
    ...childLogArgs(o),
    ...o.nodeArgs,
    ...o.faultsAll.flatMap((f) => ['--fault', f]),
    ...(malicious ? o.faults.flatMap((f) => ['--fault', withAddresses(f, ctx.nodes)]) : []),
    ...((malicious || o.faultsAll.length > 0) && o.faultSeed !== undefined ? ['--fault-seed', String(o.faultSeed + index)] : []),
  ];
}

/** The tracker's `cairn tracker start` arguments; it logs to `logFile`. */
export function trackerStartArgs(o: ResolvedDevnetOptions, logFile: string): string[] {
  return ['tracker', 'start', '--host', '127.0.0.1', '--port', String(o.trackerPort), '--log-file', logFile, ...childLogArgs(o)];
}

/**
 * Start waves: a fault that names other nodes (partition=node0,node1) needs their addresses,
 * so the honest nodes start first then; otherwise every node at once.
 */
export function startWaves(o: ResolvedDevnetOptions): number[][] {
  const all = Array.from({ length: o.nodes }, (_, index) => index);
  const honest = o.nodes - o.malicious;
  return o.faults.some((f) => NODE_NAME.test(faultArg(f))) ? [all.slice(0, honest), all.slice(honest)] : [all];
}

/** `partition=node0,node1` with the nodes' transport addresses in place of their names. */
function withAddresses(fault: string, nodes: NodeArgsContext['nodes']): string {
  const eq = fault.indexOf('=');
  if (eq < 0) return fault;
  const arg = fault.slice(eq + 1).replace(new RegExp(NODE_NAME.source, 'g'), (_, i: string) => nodes[Number(i)]!.address);
  return `${fault.slice(0, eq + 1)}${arg}`;
}
