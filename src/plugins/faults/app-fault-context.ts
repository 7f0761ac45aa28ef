import type { AppFaultContext, AppFaultKey, AppFaultPeer, Tx } from '../../kernel/index.js';
import type { FaultContext, Peer } from './context.js';
import { FaultKey, knownTxs } from './craft.js';
import { ACT_MS } from './behaviours/forged-blocks.js';

/** The plugin's own fault context, narrowed to what an app's fault may do, on that app's state. */
export function appFaultContext(ctx: FaultContext, appId: string): AppFaultContext {
  const chain = ctx.chain;
  // The peers handed out, so a send reaches the very peer the fault was given.
  const handed = new WeakMap<AppFaultPeer, Peer>();
  const hand = (peer: Peer): AppFaultPeer => (handed.set(peer, peer), peer);
  return {
    chainId: chain.chainId,
    random: ctx.random,
    log: ctx.log,
    state: () => chain.view(appId),
    tipHeight: () => chain.tip().height,
    newKey(): AppFaultKey {
      const key = new FaultKey();
      return { publicKey: key.publicKey, sign: (call, chainId = chain.chainId) => key.sign(chainId, call) };
    },
    knownTxs: (limit) => knownTxs(ctx, limit),
    async submit(tx: Tx) {
      await ctx.services.mempool.add(tx);
    },
    peers: () => ctx.peers().map(hand),
    sendTxs(peer, txs) {
      const known = handed.get(peer) ?? ctx.peers().find((p) => p.key === peer.key);
      if (known) ctx.send(known, { t: 'txs', txs: [...txs] });
    },
    interval: (ms, fn) => ctx.interval(ms, fn),
    everyPeer(act, everyMs = ACT_MS) {
      ctx.everyPeer(everyMs, (peer) => act(hand(peer)));
    },
  };
}
