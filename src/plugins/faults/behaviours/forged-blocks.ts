import type { Block } from '../../../kernel/index.js';
import { noArg } from '../args.js';
import type { FaultContext } from '../context.js';
import type { FaultBehaviour } from '../types.js';

/** How often a faulty node sends its forgery to each peer: about every 1.5 s. */
export const ACT_MS = 1500;

/**
 * A fault that pushes forged blocks built on the current tip to every ready peer, about every
 * 1.5 s. Building may need real proof of work, so it is done once per tip and reused.
 */
export function forgedBlocks(spec: {
  name: string;
  group?: 'chain' | 'block';
  summary: string;
  honestReaction: string;
  codes: string[];
  bans: boolean;
  build(ctx: FaultContext, tip: string): Promise<Block[]> | Block[];
}): FaultBehaviour<undefined> {
  return {
    name: spec.name,
    group: spec.group ?? 'block',
    summary: spec.summary,
    honestReaction: spec.honestReaction,
    codes: spec.codes,
    bans: spec.bans,
    needs: ['network'],
    parse: noArg(spec.name),
    install(ctx) {
      let built: { tip: string; blocks: Promise<Block[]> } | undefined;
      const current = (): Promise<Block[]> | undefined => {
        const tip = ctx.chain.tip().hash;
        if (built?.tip !== tip) {
          const blocks = Promise.resolve(spec.build(ctx, tip));
          blocks.catch(() => undefined);
          built = { tip, blocks };
        }
        return built.blocks;
      };
      ctx.everyPeer(ACT_MS, async (peer) => {
        const blocks = await current();
        if (blocks?.length) ctx.send(peer, { t: 'blocks', blocks });
      });
    },
  };
}
