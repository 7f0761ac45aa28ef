import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeHandshake as encodeGossip } from '../../../src/kernel/net/messages.js';
import type { PeerAddress } from '../../../src/kernel/services.js';
import { encodeFrame, FrameDecoder } from '../../../src/plugins/tracker/framing.js';
import { decodeMessage, encodeMessage, type TrackerMessage } from '../../../src/plugins/tracker/messages.js';
import type { MembershipChange } from '../../../src/plugins/tracker/server.js';
import { CHAIN_A, CHAIN_B, Harness, key, keys, udpTransport, waitFor } from './helpers.js';

const h = new Harness();
const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  await h.close();
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** Probing that gives up fast: these tests wait for verifications to fail. */
const quickProbes = { retryMs: 20, maxRetryMs: 40, attempts: 3 };

/** A UDP port that was free a moment ago: nothing answers there. */
async function deadUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** A tracker whose membership events are recorded. */
async function tracker(options: Parameters<Harness['tracker']>[0] = {}) {
  const events: MembershipChange[] = [];
  const started = await h.tracker({ probeSchedule: quickProbes, onMembership: (c) => events.push(c), ...options });
  const eventsFor = (peer: PeerAddress) => events.filter((e) => key(e.peer) === key(peer)).map((e) => e.type);
  return { ...started, events, eventsFor };
}

/** A TCP server playing a tracker: it records what clients send and sends what `onSocket` decides. */
async function fakeTracker(onSocket: (socket: Socket, received: TrackerMessage[]) => void): Promise<PeerAddress> {
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    const decoder = new FrameDecoder();
    const received: TrackerMessage[] = [];
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk).frames) {
        const decoded = decodeMessage(frame);
        if (decoded.ok) received.push(decoded.message);
      }
    });
    onSocket(socket, received);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (server.address() as { port: number }).port };
}

const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n);
const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

describe('tracker identity: nobody can evict, replace or list someone else', () => {
  it('a second registration of a member’s port from the same host neither evicts nor replaces it', async () => {
    const { server, address, events, eventsFor } = await tracker();
    const member = await h.node({ chainId: CHAIN_A, tracker: address });
    const observer = await h.node({ chainId: CHAIN_A, tracker: address });
    await waitFor(() => keys(observer.client.peers()).includes(key(member.address)), 'the observer to be offered the member');

    // The first protocol's claim (host and port), then a bare claim of the port.
    const claimant = await h.raw(address);
    claimant.register(CHAIN_A, member.address.port, { host: member.address.host });
    const bare = await h.raw(address);
    bare.register(CHAIN_A, member.address.port);
    const memberLeft = () => events.some((e) => e.type === 'left' && key(e.peer) === key(member.address));
    await waitFor(() => events.some((e) => e.type === 'refused') || memberLeft(), 'the tracker to judge the claims');
    expect(eventsFor(member.address)).toEqual(['joined', 'reachable', 'refused']);
    await waitFor(() => claimant.closed, 'the host claim to be refused');
    expect(claimant.errorCodes()).toEqual(['MESSAGE_MALFORMED']);
    // The claimant leaving removes nothing but its own registration.
    bare.send({ type: 'leave' });
    bare.close();
    await waitFor(() => server.status().contenders === 0, 'the contender to be gone');

    expect(eventsFor(member.address)).toEqual(['joined', 'reachable', 'refused']);
    expect(member.client.status()).toMatchObject({ connected: true, registered: true, reachable: true, lastDrop: undefined });
    expect(server.members(CHAIN_A)).toContainEqual({ ...member.address, reachable: true });
    expect(server.status()).toMatchObject({ replaced: 0, peers: 2, reachable: 2 });
    expect(keys(observer.client.peers())).toEqual([key(member.address)]);
  });

  it('a registration of a member’s port from another loopback address is its own, unverified entry', async () => {
    const { server, address, events, eventsFor } = await tracker();
    const member = await h.node({ chainId: CHAIN_A, tracker: address });
    const observer = await h.node({ chainId: CHAIN_A, tracker: address });
    await waitFor(() => keys(observer.client.peers()).includes(key(member.address)), 'the observer to be offered the member');

    const claimant = await h.raw(address, '127.0.0.2');
    claimant.register(CHAIN_A, member.address.port, { host: member.address.host });
    const bare = await h.raw(address, '127.0.0.2');
    bare.register(CHAIN_A, member.address.port);
    const elsewhere = { host: '127.0.0.2', port: member.address.port };
    const memberLeft = () => eventsFor(member.address).includes('left');
    await waitFor(() => eventsFor(elsewhere).includes('unreachable') || memberLeft(), 'the tracker to judge the claims');
    expect(eventsFor(member.address)).toEqual(['joined', 'reachable']);
    await waitFor(() => claimant.closed, 'the host claim to be refused');
    expect(claimant.errorCodes()).toEqual(['MESSAGE_MALFORMED']);
    expect(bare.registered()).toEqual({ type: 'registered', ...elsewhere, reachable: false });

    expect(eventsFor(member.address)).toEqual(['joined', 'reachable']);
    expect(server.members(CHAIN_A)).toEqual(
      expect.arrayContaining([
        { ...member.address, reachable: true },
        { ...elsewhere, reachable: false },
      ]),
    );
    await waitFor(() => observer.client.status().trackerUnreachable === 1, 'the observer to get the list');
    expect(keys(observer.client.peers())).toEqual([key(member.address)]);
    expect(member.client.status()).toMatchObject({ connected: true, reachable: true, lastDrop: undefined });
    expect(events.filter((e) => e.type === 'left' || e.type === 'evicted')).toEqual([]);
  });

  it('a registration for a port nobody answers on is not listed as reachable, nor offered to anyone', async () => {
    const { server, address, eventsFor } = await tracker();
    const observer = await h.node({ chainId: CHAIN_A, tracker: address });
    const port = await deadUdpPort();
    const ghost = await h.raw(address);
    ghost.register(CHAIN_A, port);
    const at = { host: '127.0.0.1', port };
    await waitFor(() => eventsFor(at).includes('unreachable') || observer.client.peers().length > 0, 'the probes to run out');
    expect(observer.client.peers()).toEqual([]);
    expect(server.members(CHAIN_A)).toContainEqual({ ...at, reachable: false });
    // Probed with backoff, then given up: every attempt went out.
    expect(server.status().probes).toBeGreaterThanOrEqual(quickProbes.attempts + 1);
    await waitFor(() => observer.client.status().trackerUnreachable === 1, 'the observer to get the list');
    expect(observer.client.peers()).toEqual([]);
    expect(ghost.registered()).toMatchObject({ reachable: false });
  });

  it('a co-hosted process claiming another node’s port fails verification, even if that node echoes everything', async () => {
    const { server, address, eventsFor } = await tracker();
    // The port's owner is registered in another network and echoes every probe it gets over its own connection.
    const ownerPort = await h.transport(udpTransport());
    const owner = await h.raw(address);
    const seen = owner.echoProbesFrom(ownerPort);
    owner.register(CHAIN_B, ownerPort.address.port);
    await waitFor(() => owner.lastPeers(), 'the owner to be registered');

    const observer = await h.node({ chainId: CHAIN_A, tracker: address });
    const claimant = h.client({ chainId: CHAIN_A, tracker: address, localAddress: ownerPort.address });
    await waitFor(
      () => eventsFor(ownerPort.address).includes('unreachable') || observer.client.peers().length > 0,
      'the claim to be judged',
    );
    expect(observer.client.peers()).toEqual([]);
    // The tracker's probes reached the owner, and the owner echoed them, on the wrong connection.
    expect(seen.count).toBeGreaterThanOrEqual(quickProbes.attempts + 1);
    expect(server.status().echoesIgnored).toBeGreaterThanOrEqual(quickProbes.attempts);
    expect(claimant.status()).toMatchObject({ registered: true, reachable: false, echoes: 0 });
    expect(server.members(CHAIN_A)).toContainEqual({ ...ownerPort.address, reachable: false });
    await waitFor(() => observer.client.status().trackerUnreachable === 1, 'the observer to get the list');
    expect(observer.client.peers()).toEqual([]);
  });

  it('a TCP-transport node is verified over TCP', async () => {
    const { address, eventsFor } = await tracker();
    const node = await h.node({ chainId: CHAIN_A, tracker: address, transport: 'tcp' });
    await waitFor(() => node.client.status().reachable, 'the TCP node to be verified');
    expect(node.probes.count).toBeGreaterThanOrEqual(1);
    expect(eventsFor(node.address)).toEqual(['joined', 'reachable']);
  });
});

describe('deep nesting at both ends of a tracker connection', () => {
  it('to the tracker: the connection is closed with MESSAGE_TOO_DEEP and the tracker serves on', async () => {
    const small = await tracker({ probe: undefined });
    const large = await tracker({ probe: undefined, maxFrameBytes: 64 * 1024 });
    const bodies = (n: number) => [
      deepArray(n),
      deepObject(n),
      `{"type":"register","version":2,"chainId":"${CHAIN_A}","port":1,"x":${deepArray(n)}}`,
      `{"type":"heartbeat","x":${deepObject(n)}}`,
    ];
    // 4 KiB frames hold about 600 object levels; a tracker taking 64 KiB frames gets 10,000.
    for (const [{ address }, depth] of [
      [small, 600],
      [large, 10_000],
    ] as const) {
      for (const body of bodies(depth)) {
        const peer = await h.raw(address);
        peer.write(encodeFrame(Buffer.from(body)));
        await waitFor(() => peer.closed, `a ${depth}-deep frame to close its connection`);
        expect(peer.errorCodes()).toEqual(['MESSAGE_TOO_DEEP']);
      }
    }
    for (const { server, address } of [small, large]) {
      const honest = await h.raw(address);
      honest.register(CHAIN_A, 7001);
      await waitFor(() => honest.lastPeers()?.peers.length === 1, 'an honest registration to be served after the junk');
      expect(server.status()).toMatchObject({ listening: true, connections: 1 });
    }
  });

  it('from a tracker: the client drops the connection with MESSAGE_TOO_DEEP, keeps its peers and reconnects', async () => {
    let accepted = 0;
    const address = await fakeTracker((socket) => {
      accepted++;
      const deep = accepted % 2 ? deepArray(10_000) : deepObject(10_000);
      socket.write(encodeFrame(Buffer.from(`{"type":"peers","chainId":"${CHAIN_A}","peers":[${deep}]}`)));
    });
    const client = h.client({
      chainId: CHAIN_A,
      tracker: address,
      localAddress: { host: '127.0.0.1', port: 7001 },
      peers: [{ host: '127.0.0.1', port: 9001 }],
    });
    await waitFor(() => accepted >= 3, 'reconnections after each deep list', 5000);
    expect(client.status()).toMatchObject({ lastDrop: 'MESSAGE_TOO_DEEP', registered: false });
    expect(keys(client.peers())).toEqual(['127.0.0.1:9001']);
  });
});

describe('forged probes', () => {
  it('make the client echo at most its bound per registration, and nothing once verified or from another host', async () => {
    let trackerSocket: Socket | undefined;
    let received: TrackerMessage[] = [];
    const address = await fakeTracker((socket, messages) => {
      trackerSocket = socket;
      received = messages;
    });
    const maxEchoes = 8;
    const node = await h.node({ chainId: CHAIN_A, tracker: address, maxEchoes });
    await waitFor(() => received.some((m) => m.type === 'register'), 'the registration');
    const echoes = () => received.filter((m) => m.type === 'echo').length;

    // From the tracker's host (a spoofer can claim any source), 1,000 tokens nobody issued.
    const spoofer = await h.transport(udpTransport('127.0.0.1'));
    const elsewhere = await h.transport(udpTransport('127.0.0.2'));
    const probe = () => encodeGossip({ t: 'probe', token: randomBytes(16).toString('hex') });
    for (let i = 0; i < 100; i++) elsewhere.send(node.address, probe());
    await waitFor(() => node.probes.count === 100, 'the probes from another host to arrive');
    expect(node.client.status()).toMatchObject({ echoes: 0, probesIgnored: 100 });
    for (let i = 0; i < 1000; i++) spoofer.send(node.address, probe());
    await waitFor(() => node.probes.count === 1100, 'the forged probes to arrive', 10_000);
    await waitFor(() => echoes() === maxEchoes, 'the bounded echoes to reach the tracker');
    expect(node.client.status()).toMatchObject({ echoes: maxEchoes, probesIgnored: 1100 - maxEchoes });

    // Verified: no probe is pending any more, so none is echoed.
    trackerSocket!.write(encodeMessage({ type: 'registered', ...node.address, reachable: true }));
    await waitFor(() => node.client.status().reachable, 'the verification to arrive');
    for (let i = 0; i < 50; i++) spoofer.send(node.address, probe());
    await waitFor(() => node.probes.count === 1150, 'the late probes to arrive');
    expect(node.client.status()).toMatchObject({ echoes: maxEchoes, probesIgnored: 1150 - maxEchoes });
    expect(echoes()).toBe(maxEchoes);
  });
});
