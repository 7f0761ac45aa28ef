import { integer, pause as pauseArg, type Pause } from '../args.js';
import type { FaultBehaviour } from '../types.js';

/** kill -9 of this very process: no handler runs, nothing is flushed, as if the power went. */
function killNow(): never {
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL is not delivered synchronously on every platform; never carry on meanwhile.
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
}

export const crashWhileMining: FaultBehaviour<number> = {
  name: 'crash-while-mining',
  group: 'crash',
  arg: 'N',
  summary: 'Kills its own process with SIGKILL once its miner has found N blocks (default 3), while it is sealing the next.',
  honestReaction:
    'Peers drop it when it falls silent and carry on; on restart it opens its store (no damage: every block was one atomic batch), passes `chain verify` and resyncs.',
  codes: [],
  bans: false,
  needs: ['miner'],
  parse: integer('crash-while-mining', 'the number of blocks to mine first', 3, 1, 1_000_000),
  install(ctx, n) {
    const miner = ctx.services.miner!;
    if (ctx.services.config.mine === 'off') ctx.log.warn({ fault: 'crash-while-mining' }, 'mining is off: this node will never crash');
    // Counted on the miner's own event, not polled: under load a poll let it mine past N.
    // The kill waits one turn of the event loop, by which time the miner is sealing the next.
    ctx.services.events.on('mined', ({ count }) => {
      if (count !== n) return;
      setImmediate(() => {
        ctx.log.warn({ fault: 'crash-while-mining', mined: miner.blocksMined }, 'killing this node with SIGKILL while it mines');
        ctx.log.flush?.();
        killNow();
      });
    });
  },
};

export const crashMidWrite: FaultBehaviour<number> = {
  name: 'crash-mid-write',
  group: 'crash',
  arg: 'N',
  summary:
    'Kills its own process with SIGKILL right after handing its Nth store batch (default 10) to the store, while it is being written.',
  honestReaction:
    'The store applies a batch all or nothing: on restart the node finds the chain as of the batch before or after, never a mix; `chain verify` passes.',
  codes: [],
  bans: false,
  needs: ['store'],
  parse: integer('crash-mid-write', 'the number of the batch to die in', 10, 1, 1_000_000),
  install(ctx, n) {
    ctx.services.store!.onBatch((ops, _write, count) => {
      if (count < n) return;
      ctx.log.warn(
        { fault: 'crash-mid-write', batch: count, ops: ops.length },
        'killing this node with SIGKILL in the middle of a store write',
      );
      killNow();
    });
  },
};

export const pause: FaultBehaviour<Pause> = {
  name: 'pause',
  group: 'crash',
  arg: 'MS[@AFTER]',
  summary:
    'Stops the whole process for MS milliseconds (nothing runs: no timers, no messages), AFTER ms after start (default 3000); then resumes.',
  honestReaction:
    'Peers see it fall silent (not ready after 30 s) and carry on without it; when it resumes it catches up by headers-first sync and agrees.',
  codes: [],
  bans: false,
  needs: [],
  parse: pauseArg('pause'),
  install(ctx, p) {
    ctx.timeout(p.afterMs, () => {
      ctx.log.warn({ fault: 'pause', ms: p.ms }, `pausing this node for ${p.ms} ms`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, p.ms);
      ctx.log.warn({ fault: 'pause' }, 'resumed');
    });
  },
};
