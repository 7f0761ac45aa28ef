import { afterEach, describe, expect, it } from 'vitest';
import { extend, Signer, startNode } from '../support/chain-fixture.js';
import { confirmedEverywhere, ProcNet, waitForAgreement, waitForPeers } from '../support/devnet-procs.js';
// @ts-expect-error: a plain-JS module without types, loaded by child processes with --app.
import notesApp from '../support/notes-app.mjs';

/** Real `cairn tracker start` and `cairn node start` processes on 127.0.0.1, gossiping over UDP. */
describe('a network of cairn processes over UDP', () => {
  const net = new ProcNet();
  afterEach(() => net.stop());

  const note = (signer: Signer, text: string) => signer.tx('notes', 'note', { text });

  it('tracker + 3 nodes: a block mined on any node reaches all, and all agree on one tip', async () => {
    await net.startTracker();
    const nodes = [await net.startNode(), await net.startNode(), await net.startNode()];
    await waitForPeers(nodes, 2);
    const alice = new Signer(nodes[0]!.chainId);

    // One transaction per node, each sent to that node only; each is mined (on demand) into a block.
    const ids: string[] = [];
    for (const [i, node] of nodes.entries()) {
      const { id } = await node.api.submitTx(note(alice, `from node ${i}`));
      ids.push(id);
      await confirmedEverywhere(nodes, [id]);
    }
    const tip = await waitForAgreement(nodes, { minHeight: 1 });
    for (const n of nodes) {
      expect(await n.api.query('notes', 'texts')).toEqual(['from node 0', 'from node 1', 'from node 2']);
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
});
