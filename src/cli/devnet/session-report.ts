import type { Emit } from '../emit.js';
import { shortHash } from '../node-assembly.js';
import type { Devnet } from './devnet.js';

/** What runs while a devnet is up. */
export type DevnetMode = 'demo' | 'prompt' | 'watch';

/** The `started` line(s): the chain, the tracker, and every node's API URL and data dir. */
export function announceDevnet(json: boolean, emit: Emit, devnet: Devnet, mode: DevnetMode): void {
  const nodes = devnet.nodes.map((n) => ({
    index: n.index,
    dataDir: n.dataDir,
    api: n.apiUrl,
    address: n.address,
    pid: n.process.pid,
    ...(n.malicious ? { malicious: true } : {}),
  }));
  if (json) {
    emit({
      event: 'started',
      dir: devnet.dir,
      temporary: devnet.ownsDir,
      chainId: devnet.chainId,
      apps: devnet.appIds,
      genesis: devnet.genesisFile,
      tracker: devnet.trackerAddress,
      trackerPid: devnet.tracker?.pid,
      nodes,
    });
    return;
  }
  const apps = devnet.appIds.length > 0 ? devnet.appIds.join(', ') : 'none';
  emit(`devnet chain ${shortHash(devnet.chainId)} (apps: ${apps}) in ${devnet.dir}${devnet.ownsDir ? ' (removed at exit)' : ''}`);
  emit(`tracker ${devnet.trackerAddress}`);
  const width = String(nodes.length - 1).length;
  for (const n of nodes)
    emit(`node ${String(n.index).padStart(width)}  api ${n.api}  udp ${n.address}  data ${n.dataDir}${n.malicious ? '  (malicious)' : ''}`);
  if (mode === 'watch') emit('Ctrl-C stops the devnet; `cairn node status --node URL` shows one node in full');
  else if (mode === 'prompt') emit('Quit (or Ctrl-C) at the vote prompt stops the devnet');
}

/** The last line: every process has exited, and where the data is (or that it was removed). */
export function reportStopped(json: boolean, emit: Emit, signal: NodeJS.Signals | undefined, devnet: Devnet): void {
  if (json) emit({ event: 'stopped', signal: signal ?? null, dir: devnet.dir, removed: devnet.ownsDir });
  else
    emit(
      `stopped${signal ? ` (${signal})` : ''}: every devnet process has exited${devnet.ownsDir ? `, ${devnet.dir} removed` : `; data kept in ${devnet.dir}`}`,
    );
}
