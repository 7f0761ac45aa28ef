import { afterEach, describe, expect, it } from 'vitest';
import type { MembershipChange } from '../../../src/plugins/tracker/server.js';
import { CHAIN_A, CHAIN_B, Harness, key, keys, udpTransport, waitFor } from './helpers.js';

const h = new Harness();
afterEach(() => h.close());

/** Probing that gives up fast, for tests about registrations nobody can verify. */
const quickProbes = { retryMs: 20, maxRetryMs: 40, attempts: 3 };

describe('TrackerServer', () => {
  it('three nodes register, are verified, and each sees the other two', async () => {
    const { server, address } = await h.tracker();
    const nodes = await Promise.all([1, 2, 3].map(() => h.node({ chainId: CHAIN_A, tracker: address })));
    for (const [i, node] of nodes.entries()) {
      const others = nodes.filter((_, j) => j !== i).map((n) => key(n.address));
      await waitFor(() => keys(node.client.peers()).join() === others.sort().join(), `node ${i} to see ${others.join(', ')}`);
      expect(node.client.status()).toMatchObject({ reachable: true, listedAs: node.address, trackerUnreachable: 0 });
    }
    expect(server.status()).toMatchObject({ peers: 3, reachable: 3 });
  });

  it('removes a client whose socket is destroyed from everyone’s list at once', async () => {
    const { server, address } = await h.tracker({ ttlMs: 60_000 });
    const a = await h.node({ chainId: CHAIN_A, tracker: address });
    const b = await h.node({ chainId: CHAIN_A, tracker: address });
    const victim = await h.raw(address);
    const victimPort = await h.transport(udpTransport());
    victim.echoProbesFrom(victimPort);
    victim.register(CHAIN_A, victimPort.address.port);
    await waitFor(() => a.client.peers().length === 2 && b.client.peers().length === 2, 'both clients to see two peers');
    const killedAt = Date.now();
    victim.socket.resetAndDestroy();
    await waitFor(
      () => keys(a.client.peers()).join() === key(b.address) && keys(b.client.peers()).join() === key(a.address),
      'the victim to vanish',
    );
    // The TTL is a minute: only the close itself can explain a removal this fast.
    expect(Date.now() - killedAt).toBeLessThan(2000);
    expect(server.status().peers).toBe(2);
  });

  it('evicts a client that stays connected but stops heartbeating, within the TTL', async () => {
    const ttlMs = 300;
    const { server, address } = await h.tracker({ ttlMs });
    const honest = await h.node({ chainId: CHAIN_A, tracker: address, ttlMs });
    const silent = await h.raw(address);
    const silentPort = await h.transport(udpTransport());
    silent.echoProbesFrom(silentPort);
    silent.register(CHAIN_A, silentPort.address.port);
    const registeredAt = Date.now();
    await waitFor(() => honest.client.peers().length === 1, 'the honest client to see the silent one');
    await waitFor(() => honest.client.peers().length === 0, 'the silent peer to be evicted', 3000);
    const elapsed = Date.now() - registeredAt;
    expect(elapsed).toBeGreaterThanOrEqual(ttlMs - 20);
    expect(elapsed).toBeLessThan(ttlMs + 700);
    expect(silent.errorCodes()).toContain('HEARTBEAT_TIMEOUT');
    await waitFor(() => silent.closed, 'the silent connection to be closed');
    // The honest client heartbeats every ttl/3 and outlives several TTLs.
    await new Promise((resolve) => setTimeout(resolve, ttlMs * 3));
    expect(server.status()).toMatchObject({ peers: 1, evicted: 1 });
    expect(honest.client.status().registered).toBe(true);
  });

  it('keeps networks apart by chain id', async () => {
    const { server, address } = await h.tracker();
    const [a1, a2, b1, b2] = await Promise.all(
      [CHAIN_A, CHAIN_A, CHAIN_B, CHAIN_B].map((chainId) => h.node({ chainId, tracker: address })),
    );
    await waitFor(() => [a1!, a2!, b1!, b2!].every((n) => n.client.peers().length === 1), 'every client to see one peer');
    expect(keys(a1!.client.peers())).toEqual([key(a2!.address)]);
    expect(keys(a2!.client.peers())).toEqual([key(a1!.address)]);
    expect(keys(b1!.client.peers())).toEqual([key(b2!.address)]);
    expect(keys(b2!.client.peers())).toEqual([key(b1!.address)]);
    expect(server.status()).toMatchObject({ networks: 2, peers: 4, byNetwork: { [CHAIN_A]: 2, [CHAIN_B]: 2 } });
  });

  it('lists a registration under its connection’s source address, refuses a host claim, and leave removes it', async () => {
    const { address } = await h.tracker({ probe: undefined, probeSchedule: quickProbes });
    const watcher = await h.raw(address);
    watcher.register(CHAIN_A, 7001);
    const member = await h.raw(address);
    member.register(CHAIN_A, 7002);
    await waitFor(() => watcher.lastPeers()?.peers.length === 2, 'two members');
    expect(watcher.lastPeers()!.peers).toEqual([
      { host: '127.0.0.1', port: 7001, reachable: false },
      { host: '127.0.0.1', port: 7002, reachable: false },
    ]);
    expect(member.registered()).toEqual({ type: 'registered', host: '127.0.0.1', port: 7002, reachable: false });

    const claimant = await h.raw(address);
    claimant.register(CHAIN_A, 7003, { host: '10.1.2.3' });
    await waitFor(() => claimant.closed, 'the host claim to be refused');
    expect(claimant.errorCodes()).toEqual(['MESSAGE_MALFORMED']);

    member.send({ type: 'leave' });
    await waitFor(() => watcher.lastPeers()?.peers.length === 1, 'the leaver to be gone');
    expect(member.closed).toBe(false);
  });

  it('answers heartbeats, so a client can tell a live tracker from a silent one', async () => {
    const { address } = await h.tracker();
    const peer = await h.raw(address);
    peer.send({ type: 'heartbeat' });
    await waitFor(() => peer.messages.some((m) => m.type === 'heartbeat'), 'a heartbeat back');
  });

  it('hands a held address to a new connection only once that connection proves it owns the port', async () => {
    const events: MembershipChange[] = [];
    const { server, address } = await h.tracker({ onMembership: (c) => events.push(c) });
    // A node registers and is verified, then its process dies without its tracker connection closing.
    const before = udpTransport();
    await h.transport(before);
    const port = before.address.port;
    const old = await h.raw(address);
    old.echoProbesFrom(before);
    old.register(CHAIN_A, port);
    await waitFor(() => old.registered()?.reachable, 'the first registration to be verified');
    await before.stop();

    // Back on the same port, on a new connection: the probe reaches the new process.
    const after = await h.transport(udpTransport('127.0.0.1', port));
    const fresh = await h.raw(address);
    fresh.echoProbesFrom(after);
    fresh.register(CHAIN_A, port);
    await waitFor(() => old.closed, 'the stale connection to be closed');
    expect(old.errorCodes()).toEqual(['ADDRESS_REPLACED']);
    await waitFor(() => fresh.lastPeers()?.peers.length === 1 && fresh.lastPeers()!.peers[0]!.reachable, 'the new connection to hold it');
    expect(server.members(CHAIN_A)).toEqual([{ host: '127.0.0.1', port, reachable: true }]);
    expect(server.status()).toMatchObject({ replaced: 1, contenders: 0 });
    expect(events.map((e) => e.type)).toEqual(['joined', 'reachable', 'left', 'joined', 'reachable']);
  });

  it('gives a freed address to the connection that contended for it from the same host', async () => {
    const events: MembershipChange[] = [];
    const { server, address } = await h.tracker({ probe: undefined, probeSchedule: quickProbes, onMembership: (c) => events.push(c) });
    const holder = await h.raw(address);
    holder.register(CHAIN_A, 7001);
    const contender = await h.raw(address);
    contender.register(CHAIN_A, 7001);
    await waitFor(() => events.some((e) => e.type === 'refused'), 'the contender to be refused');
    expect(server.status()).toMatchObject({ peers: 1, contenders: 1 });
    // It still hears the network while it waits.
    await waitFor(() => contender.lastPeers()?.peers.length === 1, 'the contender to get the list');
    holder.close();
    await waitFor(() => events.filter((e) => e.type === 'joined').length === 2, 'the contender to be listed');
    expect(server.status()).toMatchObject({ peers: 1, contenders: 0 });
    expect(contender.closed).toBe(false);
  });

  it('refuses connections beyond maxConnections and serves the ones it holds', async () => {
    const { server, address } = await h.tracker({ maxConnections: 2, probe: undefined });
    const a = await h.raw(address);
    const b = await h.raw(address);
    await waitFor(() => server.status().connections === 2, 'two connections');
    const c = await h.raw(address);
    await waitFor(() => c.closed, 'the third connection to be refused');
    expect(c.errorCodes()).toEqual(['TRACKER_FULL']);
    a.register(CHAIN_A, 7001);
    b.register(CHAIN_A, 7002);
    await waitFor(() => a.lastPeers()?.peers.length === 2 && b.lastPeers()?.peers.length === 2, 'both to see both');
  });

  it('refuses a register of another protocol version, the first one’s host claim included', async () => {
    const { address } = await h.tracker();
    for (const message of [
      { type: 'register', version: 1, chainId: CHAIN_A, host: '127.0.0.1', port: 7001 },
      { type: 'register', version: 3, chainId: CHAIN_A, port: 7001 },
    ]) {
      const peer = await h.raw(address);
      peer.send(message);
      await waitFor(() => peer.closed, 'the connection to be closed');
      expect(peer.errorCodes()).toEqual(['VERSION_UNSUPPORTED']);
    }
  });

  it('stop is idempotent and releases the port', async () => {
    const { server, address } = await h.tracker({ probe: undefined });
    const peer = await h.raw(address);
    peer.register(CHAIN_A, 7001);
    await waitFor(() => peer.lastPeers(), 'a list');
    await Promise.all([server.stop(), server.stop()]);
    await server.stop();
    await waitFor(() => peer.closed, 'the client connection to be closed');
    expect(server.status()).toMatchObject({ listening: false, connections: 0, peers: 0 });
    const again = await h.tracker({ port: address.port });
    expect(again.address.port).toBe(address.port);
  });
});
