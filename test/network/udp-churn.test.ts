import { afterEach, describe, expect, it } from 'vitest';
import { Signer } from '../support/chain-fixture.js';
import { confirmedEverywhere, ProcNet, waitForAgreement, waitForPeers, type ProcNode } from '../support/devnet-procs.js';
import { waitFor } from '../support/wait.js';

/** Nodes and trackers that die, hang and come back: real processes on 127.0.0.1 over UDP. */
describe('a UDP network of cairn processes under churn', () => {
  const net = new ProcNet();
  afterEach(() => net.stop());

  const TTL_MS = 3000;
  const note = (signer: Signer, text: string) => signer.tx('notes', 'note', { text });

  /** Resolves with the ms until the tracker prints `event` for `node`'s address (after `since` events). */
  async function trackerSees(event: string, node: ProcNode, since: number, timeoutMs: number): Promise<number> {
    const t0 = Date.now();
    await waitFor(
      `the tracker to print '${event}' for ${node.name}`,
      () =>
        net
          .trackerEvents()
          .slice(since)
          .some((e) => e.event === event && e.peer === node.address),
      timeoutMs,
      20,
    );
    return Date.now() - t0;
  }

  it('kill -9: the tracker drops the node, the others carry on, and it restarts, resyncs and agrees; a hung node is evicted within the TTL', async () => {
    await net.startTracker({ ttlMs: TTL_MS });
    const nodes = [await net.startNode(), await net.startNode(), await net.startNode()];
    await waitForPeers(nodes, 2);
    const alice = new Signer(nodes[0]!.chainId);
    const first = await nodes[0]!.api.submitTx(note(alice, 'before'));
    await confirmedEverywhere(nodes, [first.id]);

    // kill -9 of a running node: the OS closes its tracker connection, so it goes at once.
    let seen = net.trackerEvents().length;
    await nodes[2]!.proc.kill('SIGKILL');
    const droppedMs = await trackerSees('left', nodes[2]!, seen, TTL_MS);
    const survivors = nodes.slice(0, 2);
    const during = await nodes[1]!.api.submitTx(note(alice, 'while one is down'));
    await confirmedEverywhere(survivors, [during.id]);
    const { height } = await waitForAgreement(survivors, { minHeight: 2 });

    // Back on its data dir (on a new port): it registers, catches up and agrees.
    seen = net.trackerEvents().length;
    const back = await net.restart(nodes[2]!);
    await trackerSees('joined', back, seen, 10_000);
    const all = [...survivors, back];
    await waitForAgreement(all, { minHeight: height });
    await confirmedEverywhere(all, [first.id, during.id]);
    const after = await back.api.submitTx(note(alice, 'after the restart'));
    await confirmedEverywhere(all, [after.id]);

    // A hung node keeps its connection open but stops heartbeating: the TTL evicts it.
    seen = net.trackerEvents().length;
    back.proc.child.kill('SIGSTOP');
    const evictedMs = await trackerSees('evicted', back, seen, TTL_MS + 3000);
    seen = net.trackerEvents().length;
    back.proc.child.kill('SIGCONT');
    const rejoinMs = await trackerSees('joined', back, seen, 10_000);
    console.info(
      `kill -9: tracker dropped the node after ${droppedMs} ms; SIGSTOP: evicted after ${evictedMs} ms (TTL ${TTL_MS} ms); SIGCONT: registered again after ${rejoinMs} ms`,
    );
    // Heartbeats come every third of the TTL: eviction lands between two thirds of it and all of it.
    expect(evictedMs).toBeGreaterThanOrEqual((TTL_MS * 2) / 3 - 200);
    expect(evictedMs).toBeLessThanOrEqual(TTL_MS + 1500);
    await waitForAgreement(all);
  });

  it('without its tracker the network keeps gossiping; a tracker restarted on the same port gets every node back', async () => {
    const address = await net.startTracker();
    const port = Number(address.split(':')[1]);
    const nodes = [await net.startNode(), await net.startNode(), await net.startNode()];
    await waitForPeers(nodes, 2);
    const alice = new Signer(nodes[0]!.chainId);

    await net.tracker!.kill('SIGKILL');
    const { id } = await nodes[2]!.api.submitTx(note(alice, 'no tracker'));
    await confirmedEverywhere(nodes, [id]);
    await waitForAgreement(nodes, { minHeight: 1 });

    const restartedAt = Date.now();
    await net.startTracker({ port });
    await waitFor(
      'all three nodes to register with the new tracker',
      () =>
        new Set(
          net
            .trackerEvents()
            .filter((e) => e.event === 'joined')
            .map((e) => e.peer),
        ).size === 3,
      15_000,
      20,
    );
    const rejoinMs = Date.now() - restartedAt;
    console.info(`tracker restarted on port ${port}: all 3 nodes registered again within ${rejoinMs} ms`);
    expect(new Set(net.trackerEvents().map((e) => e.peer))).toEqual(new Set(nodes.map((n) => n.address)));

    // A node that arrives now learns every member from the new tracker alone.
    const late = await net.startNode({ mine: 'off' });
    await waitForPeers([late], 3);
    await waitForAgreement([...nodes, late], { minHeight: 1 });
  });
});
