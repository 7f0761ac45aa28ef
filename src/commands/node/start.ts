import { Flags } from '@oclif/core';
import { CairnCommand } from '../../cli/base-command.js';
import { chainSelectionFlags, faultFlags, integerFlag, logFileFlags, networkFlags } from '../../cli/flags.js';
import { runNodeStart } from '../../cli/node-start/run.js';

const MINE_MODES = ['on-demand', 'always', 'off'] as const;

export default class NodeStart extends CairnCommand {
  static override summary = 'Run a node: open the chain in the data dir and mine on it.';
  static override description =
    'Prints one line per block connected to the best chain (with --json, one JSON object per line). Its structured log is appended to DATA-DIR/node.log at info (rotated to node.log.1 past 32 MiB) while stderr gets only --log-level (default warn). Stops cleanly on Ctrl-C (SIGINT) or SIGTERM.';
  static override examples = [
    '<%= config.bin %> node start --mine always --data-dir /tmp/cairn-demo',
    '<%= config.bin %> node start --mine always --difficulty cs60 --mining-delay 5000',
    '<%= config.bin %> node start --genesis devnet.json --json',
    '<%= config.bin %> node start --tracker 127.0.0.1:60825 --port 60806 --api-port 0',
    '<%= config.bin %> node start --log-level debug --log-file none',
    '<%= config.bin %> node start --log-file /var/log/cairn/node.log --log-file-level debug',
    '<%= config.bin %> node start --tracker 127.0.0.1:60825 --fault bad-pow --fault drop=0.2 --fault-seed 7',
  ];

  static override flags = {
    mine: Flags.option({
      summary: 'always: mine block after block; on-demand: only while transactions wait; off: never.',
      options: MINE_MODES,
      default: 'on-demand' as const,
    })(),
    miners: integerFlag({ summary: 'Miner processes. [default: 1]' }),
    'mining-delay': integerFlag({ summary: 'Pause before mining each block, in ms (5000 lets you watch each one). [default: 0]' }),
    'mempool-limit': integerFlag({ summary: 'Most transactions waiting in the mempool. [default: 50000]' }),
    'mempool-bytes': integerFlag({ summary: 'Most bytes of transactions (as JSON) waiting in the mempool. [default: 67108864, 64 MiB]' }),
    ...chainSelectionFlags,
    ...networkFlags,
    ...faultFlags,
    ...logFileFlags('DATA-DIR/node.log'),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(NodeStart);
    await runNodeStart(flags, this.jsonEnabled());
  }
}
