import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import type { CairnNode, Message } from '../../../src/kernel/index.js';
import { FAULTS, type FaultRunner } from '../../../src/plugins/faults/index.js';
import { extend, Signer } from '../../support/chain-fixture.js';
import { waitForAgreement } from '../../support/memory-net.js';
import { hearing, honestReady, isBanned, rejectionsFrom, startFaultNet, type FaultNet } from '../../support/fault-net.js';
import { waitFor } from '../../support/wait.js';

describe('faults: links and noisy peers', () => {
  let net: FaultNet | undefined;
  afterEach(async () => {
    await net?.stop();
    net = undefined;
  });
  const start = async (options: Parameters<typeof startFaultNet>[0]) => {
    net = await startFaultNet(options);
    const seed = net.seed;
    onTestFailed(() => console.error(`fault network seed: ${seed} (replay with CAIRN_SEED=${seed})`));
    await honestReady(net);
    return net;
  };

  it('lossy, duplicating, reordering and slow links: blocks and transactions from every node reach all, and all agree', async () => {
    const { honest, faulty } = await start({ faulty: [['drop=0.2'], ['duplicate=0.2'], ['reorder=0.2'], ['delay=50±20']] });
    const all = [...honest, ...faulty];
    for (const [i, node] of all.entries()) {
      await node.mempool.add(new Signer(node.chainId).claim(`n${i}`));
      await extend(node, 1, { txs: [node.mempool.pending()] });
    }
    // Whoever holds transactions mines them, in turn, until every claim is on one agreed chain.
    let turn = 0;
    await waitFor(
      'every claim on one agreed chain',
      async () => {
        const agreed = all.every((n) => n.chain.tip().hash === all[0]!.chain.tip().hash);
        const done = agreed && (all[0]!.chain.query('registry', 'names') as string[]).length === all.length;
        if (!done) {
          const miner = all[turn++ % all.length]!;
          await extend(miner, 1, { txs: [miner.mempool.pending()] });
        }
        return done;
      },
      30_000,
      300,
    );
    for (const f of faulty) {
      const counts = f.resolve<FaultRunner>(FAULTS).transport!.counts;
      expect(counts.dropped + counts.duplicated + counts.reordered + counts.delayed).toBeGreaterThan(0);
    }
  }, 45_000);

  it('a corrupting node is counted for what it garbles; a partitioned node still agrees through the honest ones', async () => {
    const { honest, faulty } = await start({ faulty: [['corrupt=0.5'], [`partition=${'10.0.1.1:7000'}`]] });
    const [corrupter, cutOff] = faulty as [CairnNode, CairnNode];
    await extend(honest[0]!, 2);
    const garbled = () =>
      honest.some((h) =>
        Object.entries(rejectionsFrom(h, net!.keyOf(corrupter))).some(([code, n]) => n > 0 && /^(MSG_|BLOCK_BAD|HEADERS|TX_)/.test(code)),
      );
    // The corrupter must have something to garble: it relays a transaction now and then.
    let sent = 0;
    await waitFor(
      'corrupted messages counted against the corrupter',
      async () => {
        await corrupter.mempool.add(new Signer(corrupter.chainId).claim(`garble-${sent++}`)).catch(() => undefined);
        return garbled();
      },
      30_000,
      200,
    );
    await extend(honest[0]!, 1);
    await waitForAgreement([...honest, cutOff]);
    expect(cutOff.resolve<FaultRunner>(FAULTS).transport!.counts.partitioned).toBeGreaterThan(0);
  }, 45_000);

  it('repeated status claims reach the honest nodes, are never answered and cost nothing; bogus peer lists reach them, only fill the address book, and the honest nodes stay connected', async () => {
    const { honest, faulty } = await start({ faulty: [['repeated-hello=100'], ['bogus-peers=0']] });
    const [repeater, lister] = faulty as [CairnNode, CairnNode];
    const repeaterKey = net!.keyOf(repeater);
    const listerKey = net!.keyOf(lister);
    const isClaim = (m: Message) => m.t === 'status' || m.t === 'hello-ack' || m.t === 'hello';
    // What the faults send, as it reaches each honest node, and what the honest nodes answer the repeater.
    const hellos = honest.map((h) => hearing(h, (x) => x.from === repeaterKey && isClaim(x.message)));
    const lists = honest.map((h) => hearing(h, (x) => x.from === listerKey && x.message.t === 'peers'));
    const answers = hearing(repeater, (x) => isClaim(x.message) && honest.some((h) => net!.keyOf(h) === x.from));
    const listening = Date.now();
    // The lister also answers getpeers with real addresses: only those of no node of this network are bogus.
    const real = new Set([...honest, ...faulty].map((n) => net!.keyOf(n)));
    const bogus = (i: number) =>
      lists[i]!.flatMap((x) => (x.message.t === 'peers' ? x.message.peers : []))
        .map((p) => `${p.host}:${p.port}`)
        .filter((a) => !real.has(a));
    await waitFor(
      'at least 100 repeated claims and one bogus peer list at each honest node',
      () => honest.every((_, i) => hellos[i]!.length >= 100 && bogus(i).length >= 100),
      15_000,
    );
    const windowMs = Date.now() - listening;

    for (const [i, h] of honest.entries()) {
      const key = net!.keyOf(h);
      // A claim is never answered: what the repeater hears is the honest node's own keepalive, every 5 s.
      const answered = answers.filter((x) => x.from === key).length;
      expect(answered, `${key} sent ${answered} claims for ${hellos[i]!.length} received in ${windowMs} ms`).toBeLessThanOrEqual(
        Math.ceil(windowMs / 5000) + 1,
      );
      // A claim is legitimate: nothing counted, still a ready peer.
      expect(rejectionsFrom(h, repeaterKey)).toEqual({});
      expect(h.network!.book.ready().some((p) => p.key === repeaterKey)).toBe(true);
      // Listed addresses are hearsay: kept in the address book (bounded), dialled slowly, never a peer.
      const peers = new Set(h.network!.stats().peers.map((p) => p.peer));
      const listed = [...new Set(bogus(i))];
      expect(h.network!.stats().addresses.exchange, `${key} kept none of the listed addresses`).toBeGreaterThan(0);
      expect(
        listed.filter((a) => peers.has(a)),
        `listed addresses ${key} made peers`,
      ).toEqual([]);
      const { maxOutbound, maxInbound } = h.network!.book.options;
      expect(peers.size).toBeLessThanOrEqual(maxOutbound + maxInbound);
    }

    await extend(honest[0]!, 2);
    await waitForAgreement([...honest, ...faulty]);
    for (const h of honest) for (const f of faulty) expect(isBanned(h, net!.keyOf(f))).toBe(false);
    // The honest nodes still know each other as ready peers, among the bogus addresses they were given.
    for (const h of honest) expect(h.network!.book.ready().some((p) => honest.some((o) => o !== h && net!.keyOf(o) === p.key))).toBe(true);
  }, 30_000);
});
