import { afterEach, describe, expect, it } from 'vitest';
import { extend, Signer, startNode } from '../support/chain-fixture.js';
import { confirmedEverywhere, freePort, ProcNet, statuses, waitForAgreement, waitForPeers } from '../support/devnet-procs.js';
import { waitFor } from '../support/wait.js';
// @ts-expect-error: a plain-JS module without types, loaded by child processes with --app.
import notesApp from '../support/notes-app.mjs';

/** Real `cairn tracker start` and `cairn node start` processes on 127.0.0.1, gossiping over UDP. */
describe('a network of cairn processes over UDP', () => {
  const net = new ProcNet();
  afterEach(() => net.stop());

  const note = (signer: Signer, text: string) => signer.tx('notes', 'note', { text });

  it('tracker + 3 nodes: a block mined on any node reaches all, and all agree on one tip', async () => {
    await net.startTracker();
    // Pauses before each block of 0, 500 and 1,000 ms: of the nodes awake, the first mines.
    const nodes = [await net.startNode(), await net.startNode(), await net.startNode()];
    await waitForPeers(nodes, 2);
    const alice = new Signer(nodes[0]!.chainId);

    // Node 0 mines the first transaction. Then it is frozen (SIGSTOP), so the second can only
    // be mined by node 1 or 2; then node 1 is frozen too, so the third can only be node 2's.
    const ids: string[] = [];
    for (const [i, node] of nodes.entries()) {
      const { id } = await node.api.submitTx(note(alice, `to node ${i}`));
      ids.push(id);
      await confirmedEverywhere(nodes.slice(i), [id]);
      if (i < 2) node.proc.child.kill('SIGSTOP');
    }
    // Thawed, the frozen nodes take in the blocks that were gossiped to them meanwhile.
    for (const node of nodes.slice(0, 2)) node.proc.child.kill('SIGCONT');
    await confirmedEverywhere(nodes, ids);
    const tip = await waitForAgreement(nodes, { minHeight: 3 });
    for (const n of nodes) {
      expect(await n.api.query('notes', 'texts')).toEqual(['to node 0', 'to node 1', 'to node 2']);
      expect((await n.api.status()).tip).toBe(tip.tip);
    }
    // The tracker saw all three join.
    expect(net.trackerEvents().filter((e) => e.event === 'joined')).toHaveLength(3);
  });

  it('a 4th node joining late syncs a 2,000-block chain and agrees', async () => {
    // Build the chain in process into the first node's data dir: sealing 2,000 blocks at the
    // test target takes well under a second there, against minutes of mining through processes.
    const dir0 = net.tempDir();
    const builder = await startNode({ store: 'level', dataDir: dir0, apps: [notesApp] });
    await extend(builder, 2000);
    const built = builder.chain.tip();
    await builder.stop();

    await net.startTracker();
    const first = await net.startNode({ dir: dir0 });
    expect(first.chainId).toBe(builder.chainId);
    const others = [await net.startNode(), await net.startNode()];
    await waitForAgreement([first, ...others], { minHeight: 2000, timeoutMs: 30_000 });

    const spawnedAt = Date.now();
    const late = await net.startNode({ mine: 'off' });
    const startedAt = Date.now();
    const agreed = await waitForAgreement([first, ...others, late], { minHeight: 2000, timeoutMs: 30_000 });
    const end = Date.now();
    console.info(`late node: ${agreed.height} blocks in ${end - startedAt} ms after it started (${end - spawnedAt} ms after spawn)`);
    expect(agreed.tip).toBe(built.hash);
    expect(agreed.height).toBe(2000);
  });

  it('two nodes mine at the same moment: one tip wins everywhere and no transaction of the losing block is lost', async () => {
    // Force the fork: the nodes point at a tracker that is not there yet, so they cannot see
    // each other while each mines its own transactions into its own block 1.
    const tracker = `127.0.0.1:${await freePort()}`;
    const a = await net.startNode({ name: 'a', tracker, miningDelay: 0 });
    // b waits a moment before each block, so that later, once connected, a's blocks reach b
    // before b finishes one of its own: the tie is broken by a, not by a second tie.
    const b = await net.startNode({ name: 'b', tracker, miningDelay: 800 });
    const c = await net.startNode({ name: 'c', tracker, mine: 'off' });
    const nodes = [a, b, c];
    const alice = new Signer(a.chainId);
    const [a1, b1, b2] = await Promise.all([
      a.api.submitTx(note(alice, 'a1')),
      b.api.submitTx(note(alice, 'b1')),
      b.api.submitTx(note(alice, 'b2')),
    ]);
    await waitFor('a and b to mine block 1 each, apart', async () => {
      const [sa, sb] = (await statuses([a, b])) ?? [];
      return sa?.height === 1 && sb?.height === 1 && sa.mempool === 0 && sb.mempool === 0;
    });
    const [forkA, forkB] = (await statuses([a, b]))!;
    expect(forkA!.tip).not.toBe(forkB!.tip);

    await net.startTracker({ port: Number(tracker.split(':')[1]) });
    await waitForPeers(nodes, 2, 20_000);
    // One more block settles the fork whatever the rule for equal work. The fork block left off
    // the final chain lost: its node reorged, and its transactions were mined again above it.
    const c1 = await a.api.submitTx(note(alice, 'c1'));
    const ids = [a1.id, b1.id, b2.id, c1.id];
    await confirmedEverywhere(nodes, ids);
    const tip = await waitForAgreement(nodes, { minHeight: 2 });
    const won = (await c.api.blocks(1, 1)).blocks[0]!.hash;
    expect([forkA!.tip, forkB!.tip]).toContain(won);
    const [loser, lost] = won === forkA!.tip ? [b, [b1.id, b2.id]] : [a, [a1.id]];
    for (const n of nodes) {
      expect((await n.api.status()).tip).toBe(tip.tip);
      expect(await n.api.query('notes', 'texts')).toEqual(['a1', 'b1', 'b2', 'c1']);
      // The losing block's transactions were mined again above the fork, not lost with it.
      for (const id of lost) {
        const status = await n.api.txStatus(id);
        expect(status.status === 'confirmed' && status.height, `${id} on ${n.name}`).toBeGreaterThan(1);
      }
    }
    expect(loser.proc.jsonLines().some((e) => e.event === 'reorg')).toBe(true);
  });
});
