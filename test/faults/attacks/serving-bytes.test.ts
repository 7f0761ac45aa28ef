import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { rssMiB } from '../../support/attack.js';
import { Signer } from '../../support/chain-fixture.js';
import { ProcNet } from '../../support/devnet-procs.js';
import { RawPeer, tcpFrame, tcpHello } from '../../support/raw-peer.js';
import { waitFor } from '../../support/wait.js';

/**
 * Finding 8 of issue 10: what the network can make a node spend was bounded by count, not
 * bytes: a getblocks cost up to 4 MiB of reads and encoding per request with no per-peer
 * budget, and the TCP transport kept up to 512 connections each holding an unfinished 8 MiB
 * frame, with no bound on their total.
 */
const MiB = 1024 * 1024;
/** docs/protocol.md: 16 MiB a second per peer, with a burst of 32 MiB. */
const SERVE_RATE = 16 * MiB;
const SERVE_BURST = 32 * MiB;
const ASK_FOR_MS = 5000;
/** A page of blocks stops after 4 MiB. */
const PAGE = 4 * MiB;
const QUIET_MS = 3000;
/** A getblocks of 500 hashes, as JSON. */
const REQUEST_BYTES = 500 * 67 + 100;
const TCP_CONNECTIONS = 40;
/** docs/protocol.md: unfinished frames of all connections together stay under 64 MiB. */
const TCP_TOTAL_BOUND = 64 * MiB;

describe('attack: what a peer can make a node spend, in bytes', () => {
  const net = new ProcNet();
  const peers: RawPeer[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const p of peers.splice(0)) p.close();
    for (const s of sockets.splice(0)) s.destroy();
    await net.stop();
  });

  it('a peer asking getblocks for the same large block over and over is served at most its budget', async () => {
    const node = await net.startNode({ mine: 'on-demand', miningDelay: 0, tracker: null });
    // One large block: 3,000 notes, about 1 MB of JSON.
    const signer = new Signer(node.chainId);
    for (let batch = 0; batch < 3; batch++)
      await node.api.submitTxs(
        Array.from({ length: 1000 }, (_, i) => signer.tx('notes', 'note', { text: `a note that fills a block ${batch}/${i}` })),
      );
    await waitFor('the notes to be mined', async () => (await node.api.status()).mempool === 0, 30_000, 100);
    const { blocks } = await node.api.blocks();
    const large = blocks.reduce((a, b) => (b.txCount > a.txCount ? b : a));
    expect(large.txCount).toBeGreaterThan(500);

    const leech = await RawPeer.open(node.address);
    peers.push(leech);
    await leech.handshake(node.chainId, leech.claim(node.chainId, { height: large.height }));
    leech.keep = false; // from here on, only bytes are counted
    const startIn = leech.bytesIn;
    const startedAt = Date.now();
    let asked = 0;
    while (Date.now() - startedAt < ASK_FOR_MS) {
      await leech.sendSession({ t: 'getblocks', hashes: Array(500).fill(large.hash), req: ++asked });
      await new Promise((r) => setTimeout(r, 20));
    }
    const askedUntil = Date.now();
    // What was already on its way still counts: until the node has been quiet for QUIET_MS.
    await waitFor('the node to stop serving', () => Date.now() - Math.max(leech.lastInAt, askedUntil) > QUIET_MS, 60_000, 50);
    const lastAt = Math.max(leech.lastInAt, askedUntil);
    const seconds = (lastAt - startedAt) / 1000;
    const served = leech.bytesIn - startIn;
    // Two pages past the budget at most (two requests of a peer are served at once, each checks the
    // budget before it reads), and each answer's list of what it left out (the request's own hashes).
    const bound = SERVE_BURST + SERVE_RATE * seconds + 2 * PAGE + asked * REQUEST_BYTES;
    console.info(
      `${asked} getblocks of 500 x a ${large.txCount}-transaction block in ${ASK_FOR_MS} ms: ${(served / MiB).toFixed(1)} MiB served ` +
        `in ${seconds.toFixed(1)} s (${(served / MiB / seconds).toFixed(1)} MiB/s; the budget allows ${(bound / MiB).toFixed(1)} MiB), ` +
        `the last ${lastAt - askedUntil} ms after the last request`,
    );
    expect(node.proc.running).toBe(true);
    expect(served / MiB, 'MiB served to one peer').toBeLessThanOrEqual(bound / MiB);
    // Work it asked for and the budget refused is not queued up: the node is done with the leech soon after it stops.
    expect(lastAt - askedUntil, 'ms the node went on serving after the last request').toBeLessThan(QUIET_MS);
  });

  it(`TCP: ${TCP_CONNECTIONS} connections each holding an unfinished 8 MiB frame stay under the total bound`, async () => {
    const node = await net.startNode({ mine: 'off', tracker: null, extraArgs: ['--transport', 'tcp'] });
    const pid = node.proc.child.pid!;
    const rssBefore = rssMiB(pid);
    const [host, port] = [node.address.split(':')[0]!, Number(node.address.split(':')[1])];
    const chunk = Buffer.alloc(MiB, 0x20);
    let closedByNode = 0;
    await Promise.all(
      Array.from({ length: TCP_CONNECTIONS }, async (_, i) => {
        const socket = connect({ host, port });
        sockets.push(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => closedByNode++);
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', resolve);
          socket.once('error', reject);
        });
        socket.write(tcpHello(40_000 + i));
        // A data frame of the largest length allowed, all but its last byte.
        const head = tcpFrame(1, Buffer.alloc(0));
        head.writeUInt32BE(8 * MiB + 1, 0);
        socket.write(head);
        for (let m = 0; m < 8; m++) {
          const part = m === 7 ? chunk.subarray(0, MiB - 1) : chunk;
          if (socket.destroyed) return;
          if (!socket.write(part)) await new Promise<void>((resolve) => (socket.once('drain', resolve), socket.once('close', resolve)));
        }
      }),
    );
    // Let the node read what it will (a connection it refused is closed).
    await waitFor(
      'the node to have read what was sent',
      async () => {
        const before = rssMiB(pid);
        await new Promise((r) => setTimeout(r, 300));
        return Math.abs(rssMiB(pid) - before) < 2;
      },
      20_000,
      0,
    );
    const rssAfter = rssMiB(pid);
    const status = await node.api.status();
    console.info(
      `${TCP_CONNECTIONS} x 8 MiB unfinished frames: node RSS ${rssBefore.toFixed(0)} -> ${rssAfter.toFixed(0)} MiB, ` +
        `${closedByNode} connections closed by the node, transport ${JSON.stringify(status.transport ?? {})}`,
    );
    expect(node.proc.running).toBe(true);
    expect(rssAfter - rssBefore, 'node memory growth, MiB').toBeLessThan(TCP_TOTAL_BOUND / MiB + 64);
  });
});
