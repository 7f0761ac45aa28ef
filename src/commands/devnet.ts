import { Flags } from '@oclif/core';
import { CairnCommand } from '../cli/base-command.js';
import { Devnet, MAX_DEVNET_NODES, type DevnetExit } from '../cli/devnet/devnet.js';
import { LiveStatus } from '../cli/devnet/live-status.js';
import { integerFlag, numberFlag } from '../cli/flags.js';
import { shortHash } from '../cli/node-assembly.js';
import { VOTING_APP_ID } from '../apps/voting/index.js';
import { runDevnetDemo, runDevnetPrompt, type DemoResult } from '../cli/devnet-demo.js';
import type { VotePromptResult } from '../cli/voting/vote-prompt.js';
import { CairnError, ConfigError } from '../kernel/index.js';
import { createLogger } from '../kernel/index.js';
import { installLastDefence } from '../cli/last-defence.js';

export default class DevnetCommand extends CairnCommand {
  static override summary = 'Run a local network: a tracker and several mining nodes on 127.0.0.1.';
  static override description =
    "Starts `cairn tracker start` and --nodes `cairn node start` processes on loopback, all on one devnet chain (written to DIR/genesis.json, ASERT difficulty with a short block time, mining on demand), each with its own data dir DIR/node-<i> and HTTP API, and prints every node's API URL. Then: with --demo (the default when stdout is not a terminal) it casts demo ballots and exits; in a terminal it opens the `cairn vote` prompt of node 0; with --no-demo it shows one status line per node (redrawn in place on a terminal, printed on change otherwise). Ctrl-C or SIGTERM stops every process and removes a temp dir. Logs go to DIR/tracker.log and DIR/node-<i>/node.log. --data-dir is not used.";
  static override examples = [
    '<%= config.bin %> devnet',
    '<%= config.bin %> devnet --demo',
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
    }),
    'tracker-port': integerFlag({ summary: 'TCP port of the tracker; 0 picks a free one.', default: 0 }),
    'block-time': numberFlag({ summary: 'Target seconds between blocks (ASERT difficulty).', default: 1 }),
    malicious: integerFlag({ summary: 'How many of the last nodes misbehave, with the --fault behaviours.', helpGroup: 'FAULTS' }),
    demo: Flags.boolean({
      summary:
        'Cast demo ballots through several nodes (one a duplicate, which must be refused), print the tally every node agrees on, and exit; non-zero if any node disagrees. With --malicious, only the honest nodes take ballots and are compared, and the malicious ones must be detected where their faults can be. --no-demo only runs the network. [default: --demo when stdout is not a terminal]',
      allowNo: true,
    }),
    fault: Flags.string({
      summary:
        'A misbehaviour NAME[=ARG] of the malicious nodes, passed to their `node start --fault`; in ARG, nodeN stands for the address of node N (partition=node0,node1). Repeatable.',
      multiple: true,
      helpGroup: 'FAULTS',
    }),
    'fault-all': Flags.string({
      summary:
        'A condition NAME[=ARG] given to every node, which stays honest: link faults such as drop=0.2 or delay=50 on every link. Repeatable.',
      multiple: true,
      helpGroup: 'FAULTS',
    }),
    'fault-seed': integerFlag({
      summary: "Seed of the faults' random choices; node N gets SEED+N, so a run replays.",
      helpGroup: 'FAULTS',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DevnetCommand);
    const json = this.jsonEnabled();
    const emit = (line: string | Record<string, unknown>) =>
      process.stdout.write(`${typeof line === 'string' ? line : JSON.stringify(line)}\n`);

    const devnet = new Devnet({
      nodes: flags.nodes,
      dir: flags.dir,
      apps: flags.app,
      trackerPort: flags['tracker-port'],
      blockTime: flags['block-time'],
      malicious: flags.malicious,
      faults: flags.fault,
      faultsAll: flags['fault-all'],
      faultSeed: flags['fault-seed'],
      logLevel: flags['log-level'],
    });

    // Signals first: a Ctrl-C while the children start still stops them. A second Ctrl-C kills at once.
    let signalled: NodeJS.Signals | undefined;
    let started = false;
    let promptActive = false;
    let wake: () => void = () => undefined;
    const stopRequested = new Promise<void>((resolve) => (wake = resolve));
    const onSignal = (signal: NodeJS.Signals) => {
      // The vote prompt handles its own Ctrl-C (it ends the prompt, which then stops the devnet).
      if (signal === 'SIGINT' && promptActive) return;
      if (signalled) {
        devnet.killNow();
        return;
      }
      signalled = signal;
      wake();
      // While starting, stopping aborts the start; once running, the main flow stops the status first.
      if (!started) void devnet.stop();
    };
    installLastDefence(createLogger(flags['log-level']), 'devnet', () => devnet.stop());
    const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const s of SIGNALS) process.on(s, onSignal);
    try {
      try {
        await devnet.start();
        started = true;
      } catch (err) {
        if (signalled) {
          await devnet.stop();
          this.report(json, emit, signalled, devnet);
          return;
        }
        throw err;
      }

      const mode = chooseMode(flags.demo, devnet.appIds.includes(VOTING_APP_ID), Boolean(process.stdout.isTTY), json);
      if (mode === 'no-voting') {
        await devnet.stop();
        throw new ConfigError('CONFIG_INVALID', '--demo casts ballots, so the devnet must run the voting app (add --app voting)');
      }
      const live = new LiveStatus(devnet, process.stdout, json ? 'json' : process.stdout.isTTY ? 'tty' : 'lines');
      this.announce(json, emit, devnet, mode);

      let allGone: (err: Error) => void = () => undefined;
      const down = new Promise<never>((_, reject) => (allGone = reject));
      down.catch(() => undefined);
      devnet.on('exit', (e: DevnetExit) => {
        if (json) emit({ event: 'exited', ...e });
        else live.note(`${e.name} exited unexpectedly: ${e.reason}`);
        if (devnet.nodes.every((n) => !n.child.running))
          allGone(new CairnError('DEVNET_DOWN', `every node of the devnet has exited; logs are in ${devnet.dir}`));
      });

      // What runs while the devnet is up: until a signal (watch), or until the demo or the prompt ends.
      let task: Promise<DemoResult | VotePromptResult | void>;
      if (mode === 'demo') task = runDevnetDemo(devnet, { json });
      else if (mode === 'prompt') {
        promptActive = true;
        task = runDevnetPrompt(devnet);
      } else {
        live.start();
        task = new Promise<void>(() => undefined);
      }
      let result: DemoResult | VotePromptResult | void;
      try {
        result = await Promise.race([task, stopRequested, down]);
      } catch (err) {
        live.stop();
        await devnet.stop();
        throw err;
      } finally {
        promptActive = false;
      }
      live.stop();
      await devnet.stop();
      this.report(json, emit, signalled, devnet);
      if (mode === 'demo' && !signalled && result && 'passed' in result && !result.passed)
        throw new CairnError('DEMO_FAILED', `the devnet demo failed: ${result.failures.join('; ')}`);
      // A signal during the prompt leaves inquirer reading the terminal: nothing else is left to run.
      if (mode === 'prompt' && signalled) process.exit(0);
    } finally {
      for (const s of SIGNALS) process.off(s, onSignal);
    }
  }

  private announce(json: boolean, emit: (line: string | Record<string, unknown>) => void, devnet: Devnet, mode: string): void {
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
      emit(
        `node ${String(n.index).padStart(width)}  api ${n.api}  udp ${n.address}  data ${n.dataDir}${n.malicious ? '  (malicious)' : ''}`,
      );
    if (mode === 'watch') emit('Ctrl-C stops the devnet; `cairn node status --node URL` shows one node in full');
    else if (mode === 'prompt') emit('Quit (or Ctrl-C) at the vote prompt stops the devnet');
  }

  private report(
    json: boolean,
    emit: (line: string | Record<string, unknown>) => void,
    signal: NodeJS.Signals | undefined,
    devnet: Devnet,
  ): void {
    if (json) emit({ event: 'stopped', signal: signal ?? null, dir: devnet.dir, removed: devnet.ownsDir });
    else
      emit(
        `stopped${signal ? ` (${signal})` : ''}: every devnet process has exited${devnet.ownsDir ? `, ${devnet.dir} removed` : `; data kept in ${devnet.dir}`}`,
      );
  }
}

/**
 * `--demo`: the scripted vote; `--no-demo`: the live status only. Neither: in a terminal, the
 * vote prompt of node 0 (when the chain runs voting); elsewhere the scripted vote, which ends.
 */
function chooseMode(demo: boolean | undefined, voting: boolean, tty: boolean, json: boolean): 'demo' | 'prompt' | 'watch' | 'no-voting' {
  if (demo === true) return voting ? 'demo' : 'no-voting';
  if (demo === false || !voting) return 'watch';
  if (!tty) return 'demo';
  return json ? 'watch' : 'prompt';
}
