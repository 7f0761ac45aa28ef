import { Flags } from '@oclif/core';
import { CairnCommand } from '../../cli/base-command.js';
import { integerFlag } from '../../cli/flags.js';
import { shortHash } from '../../cli/node-assembly.js';
import { ConfigError, createLogger } from '../../kernel/index.js';
import {
  DEFAULT_TRACKER_PORT,
  DEFAULT_TTL_MS,
  formatHostPort,
  TrackerError,
  TrackerServer,
  TransportProber,
  type MembershipChange,
} from '../../plugins/tracker/index.js';
import { isValidHost } from '../../plugins/tracker/index.js';
import { untilStopSignal } from '../../cli/stop-signal.js';
import { installLastDefence } from '../../cli/last-defence.js';
import { openProbeTransport } from '../../cli/probe-transports.js';

export default class TrackerStart extends CairnCommand {
  static override summary = 'Run a tracker: the rendezvous point where nodes learn their peers.';
  static override description =
    'Nodes started with --tracker HOST:PORT register here and get the peer list of their network (chain) pushed on every change. ' +
    'A member is listed under the address its connection comes from, and marked reachable once that address echoes a probe the tracker sends over UDP (or TCP, for TCP-transport nodes) from the host it listens on. ' +
    'Prints one line per join, verification, leave and eviction (with --json, one JSON object per line). Logs go to stderr. Stops cleanly on Ctrl-C (SIGINT) or SIGTERM.';
  static override examples = [
    '<%= config.bin %> tracker start',
    '<%= config.bin %> tracker start --host 0.0.0.0 --port 60825',
    '<%= config.bin %> tracker start --port 0 --ttl-ms 5000 --json',
  ];

  static override flags = {
    host: Flags.string({ summary: 'Address to listen on; 0.0.0.0 for every interface.', default: '127.0.0.1' }),
    port: integerFlag({ summary: `TCP port to listen on; 0 picks a free one. [default: ${DEFAULT_TRACKER_PORT}]` }),
    'ttl-ms': integerFlag({
      summary: `A peer silent this long (ms) is evicted; clients heartbeat every third of it. [default: ${DEFAULT_TTL_MS}]`,
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(TrackerStart);
    const json = this.jsonEnabled();
    const emit = (line: string | Record<string, unknown>) =>
      process.stdout.write(`${typeof line === 'string' ? line : JSON.stringify(line)}\n`);

    const host = flags.host.trim();
    const port = flags.port ?? DEFAULT_TRACKER_PORT;
    const ttlMs = flags['ttl-ms'] ?? DEFAULT_TTL_MS;
    if (!isValidHost(host)) throw new ConfigError('CONFIG_INVALID', `--host '${flags.host}' is not an IP address or host name`);
    if (port < 0 || port > 65535) throw new ConfigError('CONFIG_INVALID', `--port ${port} is not a TCP port (0-65535)`);
    if (ttlMs < 30 || ttlMs > 3_600_000) throw new ConfigError('CONFIG_INVALID', `--ttl-ms must be between 30 and 3600000, not ${ttlMs}`);

    const onMembership = (change: MembershipChange) => {
      const peer = formatHostPort(change.peer);
      if (json) {
        emit({
          event: change.type,
          chainId: change.chainId,
          peer,
          peers: change.peers,
          ...(change.reason ? { reason: change.reason } : {}),
        });
        return;
      }
      const why =
        (change.type === 'left' || change.type === 'refused') && change.reason && change.reason !== 'leave'
          ? ` (${describeReason(change.reason)})`
          : '';
      emit(
        `${change.type.padEnd(11)} ${peer}  network ${shortHash(change.chainId)}  ${change.peers} peer${change.peers === 1 ? '' : 's'}${why}`,
      );
    };
    const logger = createLogger(flags['log-level']);
    const prober = new TransportProber({ open: openProbeTransport, logger: logger.child({ part: 'prober' }) });
    const server = new TrackerServer({ host, port, ttlMs, logger, onMembership, probe: prober.send });

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
    const where = formatHostPort(address);
    if (json) emit({ event: 'started', address: where, host: address.host, port: address.port, ttlMs });
    else emit(`tracker listening on ${where} (peers silent for ${ttlMs} ms are evicted); Ctrl-C stops`);

    const signal = await stopped;
    const status = server.status();
    await server.stop();
    await prober.stop();
    if (json) emit({ event: 'stopped', signal, peers: status.peers, networks: status.networks, evicted: status.evicted });
    else emit(`stopped (${signal}): ${status.peers} peers in ${status.networks} network${status.networks === 1 ? '' : 's'} released`);
  }
}

function describeReason(reason: string): string {
  switch (reason) {
    case 'closed':
      return 'connection closed';
    case 'ADDRESS_REPLACED':
      return 'registered again on a new connection that owns the port';
    case 'REREGISTERED':
      return 'registered under another address';
    case 'PROBE_UNANSWERED':
      return 'its address never echoed the probe; the member holding it stays';
    default:
      return reason;
  }
}
