import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameDecoder } from '../../src/plugins/tracker/framing.js';
import { decodeMessage, encodeMessage, TRACKER_PROTOCOL_VERSION, type TrackerMessage } from '../../src/plugins/tracker/messages.js';
import { ProcNet, waitForPeers } from '../support/devnet-procs.js';
import { waitFor } from '../support/wait.js';

/** A bare tracker connection from `localAddress`, recording what the tracker sends. */
async function connectFrom(tracker: string, localAddress: string): Promise<{ socket: Socket; received: TrackerMessage[] }> {
  const [host, port] = [tracker.slice(0, tracker.lastIndexOf(':')), Number(tracker.slice(tracker.lastIndexOf(':') + 1))];
  const socket = connect({ host, port, localAddress });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  const received: TrackerMessage[] = [];
  const decoder = new FrameDecoder();
  socket.on('data', (chunk: Buffer) => {
    for (const frame of decoder.push(chunk).frames) {
      const decoded = decodeMessage(frame);
      if (decoded.ok) received.push(decoded.message);
    }
  });
  return { socket, received };
}

/** `cairn tracker start` and `cairn node start` processes on loopback, and a hijacker in the test process. */
describe('a tracker nobody can hijack', () => {
  const net = new ProcNet();
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await net.stop();
  });

  it('claims of a node’s port from its host and from another address neither evict nor replace it; a newcomer still finds it', async () => {
    const tracker = await net.startTracker();
    const [a, b] = [await net.startNode(), await net.startNode()];
    await waitForPeers([a, b], 1);
    const seen = (event: string, peer: string) => net.trackerEvents().some((e) => e.event === event && e.peer === peer);
    // Peered through the tracker's list, which offers only verified members.
    await waitFor('the tracker to list both nodes', () => seen('joined', a.address) && seen('joined', b.address), 10_000);

    const port = Number(a.address.split(':')[1]);
    const chainId = a.chainId;
    const claims: Array<{ from: string; host?: string }> = [
      { from: '127.0.0.1', host: '127.0.0.1' },
      { from: '127.0.0.1' },
      { from: '127.0.0.2', host: '127.0.0.1' },
      { from: '127.0.0.2' },
    ];
    const hijackers = [];
    for (const claim of claims) {
      const hijacker = await connectFrom(tracker, claim.from);
      sockets.push(hijacker.socket);
      hijacker.socket.write(
        encodeMessage({
          type: 'register',
          version: TRACKER_PROTOCOL_VERSION,
          chainId,
          port,
          ...(claim.host ? { host: claim.host } : {}),
        } as never),
      );
      hijackers.push(hijacker);
    }
    const elsewhere = `127.0.0.2:${port}`;
    await waitFor(
      'the tracker to judge every claim',
      () => (seen('refused', a.address) && seen('unreachable', elsewhere)) || seen('left', a.address),
      20_000,
    );
    const aEvents = net.trackerEvents().filter((e) => e.peer === a.address);
    expect(aEvents.map((e) => e.event)).toEqual(['joined', 'reachable', 'refused']);
    expect(net.trackerEvents().filter((e) => e.event === 'left' || e.event === 'evicted')).toEqual([]);

    // What the tracker tells the network: the real node reachable, the other address not.
    const list = [...hijackers[3]!.received].reverse().find((m) => m.type === 'peers');
    expect(list?.type === 'peers' && list.peers).toEqual(
      expect.arrayContaining([
        { host: '127.0.0.1', port, reachable: true },
        { host: '127.0.0.2', port, reachable: false },
      ]),
    );

    // A node that arrives now is offered the real node by the tracker and peers with both.
    const late = await net.startNode({ mine: 'off' });
    await waitForPeers([late], 2);
    const status = await late.api.status();
    expect(status.peers).toBe(2);
    for (const node of [a, b, late]) expect(node.proc.running, `${node.name} alive`).toBe(true);
    expect(net.tracker!.running).toBe(true);
  });

  it('TCP-transport nodes are verified by a probe over TCP and find each other', async () => {
    await net.startTracker();
    const nodes = [await net.startNode({ extraArgs: ['--transport', 'tcp'] }), await net.startNode({ extraArgs: ['--transport', 'tcp'] })];
    const seen = (event: string, peer: string) => net.trackerEvents().some((e) => e.event === event && e.peer === peer);
    await waitFor('the tracker to verify both TCP nodes', () => nodes.every((n) => seen('reachable', n.address)), 15_000);
    await waitForPeers(nodes, 1);
  });
});
