import { Flags } from '@oclif/core';
import { CairnCommand } from '../../cli/base-command.js';
import { integerFlag, logFileFlags } from '../../cli/flags.js';
import { trackerOptionsFromFlags } from '../../cli/tracker-start/options.js';
import { runTracker } from '../../cli/tracker-start/run.js';
import { DEFAULT_TRACKER_PORT, DEFAULT_TTL_MS } from '../../plugins/tracker/index.js';

export default class TrackerStart extends CairnCommand {
  static override summary = 'Run a tracker: the rendezvous point where nodes learn their peers.';
  static override description =
    'Nodes started with --tracker HOST:PORT register here and get the peer list of their network (chain) pushed on every change. ' +
    'A member is listed under the address its connection comes from, and marked reachable once that address echoes a probe the tracker sends over UDP (or TCP, for TCP-transport nodes) from the host it listens on. ' +
    'Prints one line per join, verification, leave and eviction (with --json, one JSON object per line). Structured logs go to stderr at --log-level, and with --log-file FILE to that file at info. Stops cleanly on Ctrl-C (SIGINT) or SIGTERM.';
  static override examples = [
    '<%= config.bin %> tracker start',
    '<%= config.bin %> tracker start --host 0.0.0.0 --port 60825',
    '<%= config.bin %> tracker start --port 0 --ttl-ms 5000 --json',
    '<%= config.bin %> tracker start --log-file tracker.log',
  ];

  static override flags = {
    host: Flags.string({ summary: 'Address to listen on; 0.0.0.0 for every interface.', default: '127.0.0.1' }),
    port: integerFlag({ summary: `TCP port to listen on; 0 picks a free one. [default: ${DEFAULT_TRACKER_PORT}]` }),
    'ttl-ms': integerFlag({
      summary: `A peer silent this long (ms) is evicted; clients heartbeat every third of it. [default: ${DEFAULT_TTL_MS}]`,
    }),
    ...logFileFlags('none'),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(TrackerStart);
    await runTracker(trackerOptionsFromFlags(flags), flags, this.jsonEnabled());
  }
}
