import { ConfigError } from '../kernel/index.js';
import { Flags } from '@oclif/core';
import { CairnCommand } from '../cli/base-command.js';
import { MAX_DEVNET_NODES } from '../cli/devnet/devnet-options.js';
import { devnetOptionsFromFlags } from '../cli/devnet/options-from-flags.js';
import { runDevnetSession } from '../cli/devnet/session.js';
import { integerFlag, numberFlag } from '../cli/flags.js';

export default class DevnetCommand extends CairnCommand {
  static override summary = 'Run a local network: a tracker and several mining nodes on 127.0.0.1.';
  static override description =
    "Starts `cairn tracker start` and --nodes `cairn node start` processes on loopback, all on one devnet chain (written to DIR/genesis.json, ASERT difficulty with a short block time, mining on demand), each with its own data dir DIR/node-<i> and HTTP API, and prints every node's API URL. Then: with --demo (the default when stdout is not a terminal) it casts demo ballots and exits; in a terminal it opens the `cairn vote` prompt of node 0; with --no-demo it shows one status line per node (redrawn in place on a terminal, printed on change otherwise). Ctrl-C or SIGTERM stops every process and removes a temp dir. Logs go to DIR/tracker.log and DIR/node-<i>/node.log. --data-dir is not used.";
  static override examples = [
    '<%= config.bin %> devnet',
    '<%= config.bin %> devnet --demo',
    '<%= config.bin %> devnet --demo --secret',
    '<%= config.bin %> devnet --nodes 5 --dir /tmp/my-devnet --no-demo',
    '<%= config.bin %> devnet --malicious 1 --fault bad-pow --no-demo',
    '<%= config.bin %> devnet --nodes 4 --malicious 1 --fault partition=node0,node1 --demo',
    '<%= config.bin %> devnet --fault-all drop=0.2 --demo',
    '<%= config.bin %> devnet --app ./my-app/dist/index.js --json',
  ];

  static override flags = {
    nodes: integerFlag({ summary: `Node processes, 1 to ${MAX_DEVNET_NODES}.`, default: 3 }),
    dir: Flags.string({ summary: "Directory for the nodes' data dirs and logs; kept at exit. [default: a temp dir, removed at exit]" }),
    app: Flags.string({
      summary: 'Chain app every node runs: a built-in name, a module path or a package name. Repeatable. [default: voting]',
      multiple: true,
      multipleNonGreedy: true,
    }),
    'tracker-port': integerFlag({ summary: 'TCP port of the tracker; 0 picks a free one.', default: 0 }),
    'block-time': numberFlag({ summary: 'Target seconds between blocks (ASERT difficulty).', default: 1 }),
    malicious: integerFlag({ summary: 'How many of the last nodes misbehave, with the --fault behaviours.', helpGroup: 'FAULTS' }),
    demo: Flags.boolean({
      summary:
        'Cast demo ballots through several nodes (one a duplicate, which must be refused), print the tally every node agrees on, and exit; non-zero if any node disagrees. With --malicious, only the honest nodes take ballots and are compared, and the malicious ones must be detected where their faults can be. --no-demo only runs the network. [default: --demo when stdout is not a terminal]',
      allowNo: true,
    }),
    secret: Flags.boolean({
      summary:
        'With the demo: a secret election instead: 3 trustees run the key ceremony (any 2 decrypt), voters cast encrypted ballots through different nodes (one revotes, one audits her device first), one trustee stays offline at decryption, and `election verify` re-checks the record; non-zero unless every node decrypts the same tally and the record verifies.',
    }),
    fault: Flags.string({
      summary:
        'A misbehaviour NAME[=ARG] of the malicious nodes, passed to their `node start --fault`; in ARG, nodeN stands for the address of node N (partition=node0,node1). Repeatable.',
      multiple: true,
      multipleNonGreedy: true,
      helpGroup: 'FAULTS',
    }),
    'fault-all': Flags.string({
      summary:
        'A condition NAME[=ARG] given to every node, which stays honest: link faults such as drop=0.2 or delay=50 on every link. Repeatable.',
      multiple: true,
      multipleNonGreedy: true,
      helpGroup: 'FAULTS',
    }),
    'fault-seed': integerFlag({
      summary: "Seed of the faults' random choices; node N gets SEED+N, so a run replays.",
      helpGroup: 'FAULTS',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DevnetCommand);
    if (flags.secret && flags.demo === false)
      throw new ConfigError('CONFIG_INVALID', '--secret is a kind of demo: it cannot go with --no-demo');
    await runDevnetSession(devnetOptionsFromFlags(flags), {
      demo: flags.demo,
      json: this.jsonEnabled(),
      logLevel: flags['log-level'],
      keystore: flags.keystore,
      secret: flags.secret,
    });
  }
}
