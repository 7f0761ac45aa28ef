import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { PeerAddress } from '../../../src/kernel/services.js';
import { TrackerClient } from '../../../src/plugins/tracker/client.js';
import { encodeMessage } from '../../../src/plugins/tracker/messages.js';
import { CHAIN_A, deliverProbes, Harness, key, keys, udpTransport, waitFor } from './helpers.js';

const h = new Harness();
const fakes: Server[] = [];
const fakeSockets: Socket[] = [];
afterEach(async () => {
  await h.close();
  for (const socket of fakeSockets.splice(0)) socket.destroy();
  await Promise.all(fakes.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

const local = (port: number) => ({ host: '127.0.0.1', port });

/** A TCP server that plays a broken tracker: `onSocket` decides what it does. */
async function fakeTracker(onSocket: (socket: Socket) => void): Promise<PeerAddress> {
  const server = createServer((socket) => {
    fakeSockets.push(socket);
    socket.on('error', () => {});
    onSocket(socket);
  });
  fakes.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const info = server.address() as { port: number };
  return local(info.port);
}

describe('TrackerClient', () => {
  it('re-registers after the tracker restarts on the same port, keeping the last list meanwhile', async () => {
    const first = await h.tracker();
    const port = first.address.port;
    const clients = (await Promise.all([1, 2, 3].map(() => h.node({ chainId: CHAIN_A, tracker: first.address, ttlMs: 3000 })))).map(
      (n) => n.client,
    );
    await waitFor(() => clients.every((c) => c.peers().length === 2), 'every client to see two peers');
    const before = clients.map((c) => keys(c.peers()));

    await first.server.stop();
    await waitFor(() => clients.every((c) => !c.status().connected), 'every client to notice the tracker is gone');
    // Down, but the node keeps working on the peers it knows.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(clients.map((c) => keys(c.peers()))).toEqual(before);
    expect(clients.every((c) => c.status().attempts >= 2)).toBe(true);

    const second = await h.tracker({ port });
    await waitFor(() => second.server.status().peers === 3, 'all three to register again', 5000);
    // A new tracker lists each member once it is verified again: the lists come back whole.
    await waitFor(
      () => clients.every((c) => c.status().reachable) && JSON.stringify(clients.map((c) => keys(c.peers()))) === JSON.stringify(before),
      'every client to be verified again and get the full list',
    );
  });

  it('tells the tracker it leaves, so the others learn at once', async () => {
    const { server, address } = await h.tracker({ ttlMs: 60_000 });
    const stay = (await h.node({ chainId: CHAIN_A, tracker: address })).client;
    const goPort = await h.transport(udpTransport());
    const go = new TrackerClient({ chainId: CHAIN_A, tracker: address, localAddress: goPort.address });
    deliverProbes(goPort, (token, from) => go.probed(token, from));
    go.start();
    await waitFor(() => stay.peers().length === 1 && go.peers().length === 1, 'the two to see each other');
    await go.stop();
    await go.stop();
    await waitFor(() => stay.peers().length === 0, 'the leaver to vanish', 2000);
    expect(server.status().peers).toBe(1);
  });

  it('advertise: extra registrations of made-up ports are listed unreachable, never offered as peers, and withdrawn', async () => {
    const { server, address } = await h.tracker({ ttlMs: 60_000 });
    const node = await h.node({ chainId: CHAIN_A, tracker: address });
    const other = (await h.node({ chainId: CHAIN_A, tracker: address })).client;
    await waitFor(() => node.client.status().reachable && other.status().reachable, 'both nodes verified');
    const withdraw = node.client.advertise([61_001, 61_002]);
    await waitFor(() => server.members(CHAIN_A).length === 4, 'the two extra registrations listed');
    const extra = server.members(CHAIN_A).filter((m) => m.port === 61_001 || m.port === 61_002);
    expect(extra.map((m) => m.host)).toEqual([node.address.host, node.address.host]);
    expect(extra.every((m) => !m.reachable)).toBe(true);
    await waitFor(() => other.status().trackerUnreachable === 2, 'the other node told of two unverified members');
    expect(keys(other.peers())).toEqual([key(node.address)]);
    withdraw();
    await waitFor(() => server.members(CHAIN_A).length === 2, 'the extra registrations gone', 2000);
  });

  it('merges static and exchanged peers with the tracker list, without itself or duplicates', async () => {
    const { address } = await h.tracker();
    const changes: PeerAddress[][] = [];
    const client = h.client({
      chainId: CHAIN_A,
      tracker: address,
      localAddress: local(7001),
      peers: [local(9001), local(9001), local(7001)],
    });
    client.onChange((peers) => changes.push(peers));
    const other = await h.raw(address);
    const otherPort = await h.transport(udpTransport());
    other.echoProbesFrom(otherPort);
    other.register(CHAIN_A, otherPort.address.port);
    const otherKey = key(otherPort.address);
    await waitFor(() => client.peers().length === 2, 'the tracker peer to join the static one');
    expect(keys(client.peers())).toEqual([otherKey, '127.0.0.1:9001'].sort());

    const added = client.addPeers([
      local(9101),
      { host: '127.0.0.1', port: 0 },
      { host: 'not a host', port: 80 },
      { host: '255.255.255.255', port: 80 },
      { host: '0.0.0.0', port: 80 },
      { host: 'x'.repeat(300), port: 80 },
      'junk',
      null,
      local(7001),
      local(9001),
      otherPort.address,
      { host: '::ffff:127.0.0.1', port: 9102 },
    ]);
    expect(added).toBe(2);
    expect(keys(client.peers())).toEqual([otherKey, '127.0.0.1:9001', '127.0.0.1:9101', '127.0.0.1:9102'].sort());
    expect(keys(changes.at(-1)!)).toEqual(keys(client.peers()));
    expect(client.addPeers([local(9101)])).toBe(0);
  });

  it('keeps a bounded set of exchanged peers, dropping the oldest', () => {
    const client = h.client({ chainId: CHAIN_A, localAddress: local(7001), maxExchangePeers: 3 });
    client.addPeers([local(9101), local(9102), local(9103)]);
    client.addPeers([local(9101), local(9104)]);
    expect(keys(client.peers())).toEqual(['127.0.0.1:9101', '127.0.0.1:9103', '127.0.0.1:9104']);
    expect(client.addPeers(Array.from({ length: 100_000 }, (_, i) => local(10_000 + (i % 50_000))))).toBe(3);
    expect(client.status().exchangePeers).toBe(3);
  });

  it('works without a tracker, on static peers alone', async () => {
    const client = h.client({ chainId: CHAIN_A, localAddress: local(7001), peers: [local(9001), local(9002)] });
    expect(keys(client.peers())).toEqual(['127.0.0.1:9001', '127.0.0.1:9002']);
    expect(client.status()).toMatchObject({ connected: false, attempts: 0 });
  });

  it('reconnects with capped backoff while no tracker listens, then registers when one does', async () => {
    // Take a free port, then free it: nothing listens there until the tracker starts.
    const probe = await h.tracker();
    const port = probe.address.port;
    await probe.server.stop();
    const client = h.client({ chainId: CHAIN_A, tracker: local(port), localAddress: local(7001), backoff: { initialMs: 10, maxMs: 100 } });
    await waitFor(() => client.status().attempts >= 5, 'several attempts');
    const { server } = await h.tracker({ port });
    await waitFor(() => client.status().registered, 'registration once the tracker is up', 3000);
    expect(server.status().peers).toBe(1);
    expect(client.status().attempts).toBe(0);
  });

  it('drops a tracker that goes silent and tries again', async () => {
    let accepted = 0;
    const address = await fakeTracker(() => accepted++);
    const client = h.client({ chainId: CHAIN_A, tracker: address, localAddress: local(7001), ttlMs: 150, peers: [local(9001)] });
    await waitFor(() => accepted >= 2, 'a second connection after the silence', 3000);
    expect(keys(client.peers())).toEqual(['127.0.0.1:9001']);
  });

  it('keeps its last list when the tracker sends junk, and reconnects', async () => {
    let accepted = 0;
    const address = await fakeTracker((socket) => {
      accepted++;
      if (accepted === 1) {
        socket.write(
          encodeMessage({
            type: 'peers',
            chainId: CHAIN_A,
            peers: [
              { ...local(7002), reachable: true },
              { ...local(7001), reachable: true },
              { ...local(7003), reachable: false },
            ],
          }),
        );
        setTimeout(() => socket.write(Buffer.from('\u0000\u0000\u0000\u0005{"ty')), 50);
        setTimeout(() => socket.write(Buffer.from('pe":1}garbage-garbage')), 100);
      } else if (accepted === 2) {
        socket.write(encodeMessage({ type: 'peers', chainId: 'c'.repeat(64), peers: [{ ...local(7666), reachable: true }] }));
      } else {
        socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
      }
    });
    const client = h.client({ chainId: CHAIN_A, tracker: address, localAddress: local(7001) });
    await waitFor(() => client.peers().length === 1, 'the first list');
    await waitFor(() => accepted >= 4, 'reconnections after each bad message', 3000);
    // The unverified member is known but not offered to the node.
    expect(keys(client.peers())).toEqual(['127.0.0.1:7002']);
    expect(client.status()).toMatchObject({ trackerUnreachable: 1, lastDrop: 'FRAME_TOO_LARGE' });
  });

  it('follows the heartbeat interval the tracker asks for', async () => {
    const ttlMs = 240;
    const { server, address } = await h.tracker({ ttlMs });
    // The client assumes a much longer TTL; without the tracker's hint it would be evicted.
    const client = h.client({ chainId: CHAIN_A, tracker: address, localAddress: local(7001), ttlMs: 60_000 });
    await waitFor(() => client.status().registered, 'registration');
    await new Promise((resolve) => setTimeout(resolve, ttlMs * 4));
    expect(server.status()).toMatchObject({ peers: 1, evicted: 0 });
    expect(client.status().registered).toBe(true);
  });
});
