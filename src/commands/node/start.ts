import { Flags } from '@oclif/core';
import { CairnCommand } from '../../cli/base-command.js';
import { chainSelectionFlags, faultFlags, integerFlag, networkFlags } from '../../cli/flags.js';
import { SyncProgress } from '../../cli/sync-progress.js';
import { assembleNode, difficultyBits, shortHash, startNode } from '../../cli/node-assembly.js';
import type { BlockEvent, ReorgEvent, StoreStatus } from '../../kernel/index.js';
import { storeConsequence } from '../../cli/node-report.js';
import { FAULTS, type FaultRunner } from '../../plugins/faults/index.js';
import { untilStopSignal } from '../../cli/stop-signal.js';
import { installLastDefence } from '../../cli/last-defence.js';

const MINE_MODES = ['on-demand', 'always', 'off'] as const;

export default class NodeStart extends CairnCommand {
  static override summary = 'Run a node: open the chain in the data dir and mine on it.';
  static override description =
    'Prints one line per block connected to the best chain (with --json, one JSON object per line). Logs go to stderr. Stops cleanly on Ctrl-C (SIGINT) or SIGTERM.';
  static override examples = [
    '<%= config.bin %> node start --mine always --data-dir /tmp/cairn-demo',
    '<%= config.bin %> node start --mine always --difficulty cs60 --mining-delay 5000',
    '<%= config.bin %> node start --genesis devnet.json --json',
    '<%= config.bin %> node start --tracker 127.0.0.1:60825 --port 60806 --api-port 0',
    '<%= config.bin %> node start --tracker 127.0.0.1:60825 --fault bad-pow --fault drop=0.2 --fault-seed 7',
  ];

  static override flags = {
    mine: Flags.option({
      summary: 'always: mine block after block; on-demand: only while transactions wait; off: never.',
      options: MINE_MODES,
      default: 'on-demand' as const,
    })(),
    miners: integerFlag({ summary: 'Miner processes. [default: 1]' }),
    'mining-delay': integerFlag({ summary: 'Pause before mining each block, in ms (the original paused 5000). [default: 0]' }),
    'mempool-limit': integerFlag({ summary: 'Most transactions waiting in the mempool. [default: 50000]' }),
    'mempool-bytes': integerFlag({ summary: 'Most bytes of transactions (as JSON) waiting in the mempool. [default: 67108864, 64 MiB]' }),
    ...chainSelectionFlags,
    ...networkFlags,
    ...faultFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(NodeStart);
    const json = this.jsonEnabled();
    const emit = (line: string | Record<string, unknown>) =>
      process.stdout.write(`${typeof line === 'string' ? line : JSON.stringify(line)}\n`);

    const assembled = await assembleNode(flags);
    const { node, config } = assembled;
    const stopped = untilStopSignal();
    installLastDefence(node.log, 'node', () => node.stop());

    // The tip as the events saw it: after stop() the node's services are gone.
    let last = { height: 0, hash: node.chainId };
    node.events.on('block', (e: BlockEvent) => {
      // The genesis time is a fixed date, not when anyone mined: no interval for block 1.
      const prev = e.height > 1 ? node.reader.header(e.hash)?.prev : undefined;
      const prevTime = prev === undefined ? undefined : node.reader.header(prev)?.time;
      const sincePrevMs = prevTime === undefined ? undefined : e.time - prevTime;
      last = { height: e.height, hash: e.hash };
      if (json) {
        emit({
          event: 'block',
          ...e,
          txs: e.txIds.length,
          sincePrevMs: sincePrevMs ?? null,
          difficultyBits: round(difficultyBits(e.target), 2),
        });
        return;
      }
      const since = sincePrevMs === undefined ? '' : `  +${(sincePrevMs / 1000).toFixed(2)}s`;
      emit(
        `block ${e.height}  ${shortHash(e.hash)}  txs ${e.txIds.length}${since}  difficulty ${difficultyBits(e.target).toFixed(1)} bits${e.reorg ? '  (reorg)' : ''}`,
      );
    });
    node.events.on('reorg', (e: ReorgEvent) => {
      if (json) emit({ event: 'reorg', ...e });
      else
        emit(
          `reorg: left ${shortHash(e.from.hash)} at height ${e.from.height} for ${shortHash(e.to.hash)} at height ${e.to.height} (${e.depth} blocks undone)`,
        );
    });

    // A full disk pauses the node rather than stopping it: say so where the blocks are printed.
    node.events.on('store', (s: StoreStatus) => {
      if (json) emit({ event: 'store', ...s });
      else if (s.writable) emit('store writable again: mining, sync and new transactions resume');
      else emit(`store not writable (${s.code}): ${storeConsequence(s)}; ${s.message}`);
    });

    const progress = new SyncProgress(process.stderr);
    if (!json) node.events.on('sync', (e) => progress.update(e.height, e.target));

    await startNode(assembled);
    const tip = node.chain.tip();
    const address = node.transportAddress();
    const api = node.apiUrl();
    const faults = flags.fault?.length ? node.resolve<FaultRunner>(FAULTS) : undefined;
    if (tip.height >= last.height) last = { height: tip.height, hash: tip.hash };
    if (json)
      emit({
        event: 'started',
        chainId: node.chainId,
        height: tip.height,
        tip: tip.hash,
        mine: config.mine,
        dataDir: config.dataDir,
        address: address ?? null,
        api: api ?? null,
        ...(faults ? { faults: faults.names, faultSeed: faults.seed } : {}),
      });
    else {
      emit(`node on chain ${shortHash(node.chainId)} at height ${tip.height} (tip ${shortHash(tip.hash)}), data dir ${config.dataDir}`);
      emit(
        `mining: ${config.mine}${config.mine === 'off' ? '' : `, ${config.miners} miner${config.miners === 1 ? '' : 's'}`}; Ctrl-C stops`,
      );
      if (address) emit(`listening on ${config.transport} ${address}${config.tracker ? `, tracker ${config.tracker}` : ''}`);
      if (api) emit(`api ${api}`);
      if (faults) emit(`faults: ${faults.names.join(', ')} (seed ${faults.seed}): this node misbehaves on purpose`);
    }

    // A solo node that does not mine holds no socket or timer: without this it would end here.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const signal = await stopped;
    clearInterval(keepAlive);
    await node.stop();
    const end = last;
    if (json) emit({ event: 'stopped', signal, height: end.height, tip: end.hash });
    else emit(`stopped (${signal}) at height ${end.height}, tip ${shortHash(end.hash)}`);
  }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
