import { afterEach, describe, expect, it } from 'vitest';
import { defineApp, defineAppFault, type AppFaultPeer, type CairnNode, type ChainApp, type Tx } from '../../../src/kernel/index.js';
import { faults } from '../../../src/plugins/faults/index.js';
import { memoryTransport, MemoryNetwork } from '../../../src/plugins/transport-memory/index.js';
import { trackerDiscovery } from '../../../src/plugins/tracker/index.js';
import { extend, Signer, startNode } from '../../support/chain-fixture.js';
import { hearing, honestReady, rejectionsFrom, startFaultNet, type FaultNet } from '../../support/fault-net.js';
import { registryApp } from '../../support/registry-app.js';
import { waitFor } from '../../support/wait.js';

/**
 * Claims again, with a fresh key, a name the app's state says is taken: a fault of the
 * registry app's own, which only the app knows how to make. `PREFIX` limits it to the names
 * that start with it; no name has capitals, so the argument refuses them.
 */
const nameSquat = defineAppFault<string>({
  name: 'name-squat',
  arg: 'PREFIX',
  summary: 'Claims taken names again from fresh keys, to every peer about every 200 ms.',
  honestReaction: 'Refuses each claim (NAME_TAKEN, an app rule).',
  codes: ['NAME_TAKEN'],
  bans: false,
  parse(arg) {
    if (arg !== undefined && !/^[a-z0-9-]*$/.test(arg)) throw new Error(`'${arg}' is not the start of a name`);
    return arg ?? '';
  },
  install(ctx, prefix) {
    ctx.everyPeer((peer: AppFaultPeer) => {
      const taken = ctx
        .state()
        .entries('name:')
        .map(([key]) => key.slice('name:'.length))
        .filter((n) => n.startsWith(prefix));
      if (taken.length) ctx.sendTxs(peer, [ctx.newKey().sign({ app: 'registry', type: 'claim', payload: { name: taken[0]! } })]);
    }, 200);
  },
});

const squattedRegistry: ChainApp = defineApp({ ...registryApp, faults: [nameSquat] });

describe('faults: an app ships its own faults', () => {
  let net: FaultNet | undefined;
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    await net?.stop();
    net = undefined;
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  it("--fault finds an app's fault among the node's apps; it reads the app's state and its transactions reach the honest peers", async () => {
    net = await startFaultNet({ faulty: [['name-squat=hon']], fixture: { apps: [squattedRegistry] } });
    const [a, b] = net.honest as [CairnNode, CairnNode];
    const faulty = net.faulty[0]!;
    await honestReady(net);
    const key = net.keyOf(faulty);
    const squats = hearing(
      a,
      (h) =>
        h.from === key &&
        h.message.t === 'txs' &&
        (h.message.txs as Tx[]).some((tx) => (tx.payload as { name?: string }).name === 'honest'),
    );
    // Nothing is taken yet, so the fault has nothing to send; once 'honest' is claimed and mined, it has.
    await extend(a, 1, { txs: [[new Signer(a.chainId).claim('honest')]] });
    await waitFor('the claim on the faulty node', () => faulty.chain.tip().height === 1);
    await waitFor('the squats counted by both honest nodes', () => [a, b].every((h) => (rejectionsFrom(h, key).NAME_TAKEN ?? 0) > 0));
    expect(squats.length).toBeGreaterThan(0);
    // The first claim stands: the squatter's copies are refused, never mined.
    expect(a.chain.view('registry').get('claimed')).toBe(1);
  }, 30_000);

  it("an app fault's argument is checked by the app, and its name is known only on a node that runs the app", async () => {
    const network = new MemoryNetwork({ latencyMs: 1, seed: 1 });
    const node = (apps: ChainApp[], fault: string) =>
      startNode({
        apps,
        plugins: [memoryTransport({ network, host: '10.0.9.1', port: 7000 }), trackerDiscovery({}), faults({ faults: [fault] })],
      });
    await expect(node([squattedRegistry], 'name-squat=Big')).rejects.toThrow("--fault name-squat: 'Big' is not the start of a name");
    await expect(node([registryApp], 'name-squat')).rejects.toThrow(/^unknown fault 'name-squat'; the faults are: bad-pow, .*, disk-full$/);
    await expect(node([squattedRegistry], 'no-such-fault')).rejects.toThrow(
      /^unknown fault 'no-such-fault'; the faults are: .*, disk-full, name-squat$/,
    );
    const ok = await node([squattedRegistry], 'name-squat');
    cleanup.push(() => ok.stop());
    expect(ok.chain.tip().height).toBe(0);
  });
});
