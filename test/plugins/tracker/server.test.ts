import { afterEach, describe, expect, it } from 'vitest';
import { CHAIN_A, CHAIN_B, Harness, keys, waitFor } from './helpers.js';

const h = new Harness();
afterEach(() => h.close());

const local = (port: number) => ({ host: '127.0.0.1', port });

describe('TrackerServer', () => {
  it('three clients register and each sees the other two', async () => {
    const { address } = await h.tracker();
    const clients = [7001, 7002, 7003].map((port) => h.client({ chainId: CHAIN_A, tracker: address, localAddress: local(port) }));
    for (const [i, client] of clients.entries()) {
      const others = [7001, 7002, 7003].filter((_, j) => j !== i).map((p) => `127.0.0.1:${p}`);
      await waitFor(() => keys(client.peers()).join() === others.join(), `client ${i} to see ${others.join(', ')}`);
    }
  });

  it('removes a client whose socket is destroyed from everyone’s list at once', async () => {
    const { server, address } = await h.tracker({ ttlMs: 60_000 });
    const a = h.client({ chainId: CHAIN_A, tracker: address, localAddress: local(7001) });
    const b = h.client({ chainId: CHAIN_A, tracker: address, localAddress: local(7002) });
    const victim = await h.raw(address);
    victim.register(CHAIN_A, 7003);
    await waitFor(() => a.peers().length === 2 && b.peers().length === 2, 'both clients to see two peers');
    const killedAt = Date.now();
    victim.socket.resetAndDestroy();
    await waitFor(() => keys(a.peers()).join() === '127.0.0.1:7002' && keys(b.peers()).join() === '127.0.0.1:7001', 'the victim to vanish');
    // The TTL is a minute: only the close itself can explain a removal this fast.
    expect(Date.now() - killedAt).toBeLessThan(2000);
    expect(server.status().peers).toBe(2);
  });

  it('evicts a client that stays connected but stops heartbeating, within the TTL', async () => {
    const ttlMs = 300;
    const { server, address } = await h.tracker({ ttlMs });
    const honest = h.client({ chainId: CHAIN_A, tracker: address, localAddress: local(7001), ttlMs });
    const silent = await h.raw(address);
    silent.register(CHAIN_A, 7002);
    const registeredAt = Date.now();
    await waitFor(() => honest.peers().length === 1, 'the honest client to see the silent one');
    await waitFor(() => honest.peers().length === 0, 'the silent peer to be evicted', 3000);
    const elapsed = Date.now() - registeredAt;
    expect(elapsed).toBeGreaterThanOrEqual(ttlMs - 20);
    expect(elapsed).toBeLessThan(ttlMs + 700);
    expect(silent.errorCodes()).toContain('HEARTBEAT_TIMEOUT');
    await waitFor(() => silent.closed, 'the silent connection to be closed');
    // The honest client heartbeats every ttl/3 and outlives several TTLs.
    await new Promise((resolve) => setTimeout(resolve, ttlMs * 3));
    expect(server.status()).toMatchObject({ peers: 1, evicted: 1 });
    expect(honest.status().registered).toBe(true);
  });

  it('keeps networks apart by chain id', async () => {
    const { server, address } = await h.tracker();
    const a1 = h.client({ chainId: CHAIN_A, tracker: address, localAddress: local(7001) });
    const a2 = h.client({ chainId: CHAIN_A, tracker: address, localAddress: local(7002) });
    const b1 = h.client({ chainId: CHAIN_B, tracker: address, localAddress: local(7003) });
    const b2 = h.client({ chainId: CHAIN_B, tracker: address, localAddress: local(7004) });
    await waitFor(() => [a1, a2, b1, b2].every((c) => c.peers().length === 1), 'every client to see one peer');
    expect(keys(a1.peers())).toEqual(['127.0.0.1:7002']);
    expect(keys(a2.peers())).toEqual(['127.0.0.1:7001']);
    expect(keys(b1.peers())).toEqual(['127.0.0.1:7004']);
    expect(keys(b2.peers())).toEqual(['127.0.0.1:7003']);
    expect(server.status()).toMatchObject({ networks: 2, peers: 4, byNetwork: { [CHAIN_A]: 2, [CHAIN_B]: 2 } });
  });

  it('lists a peer that leaves no more, and a peer registered without host under its socket address', async () => {
    const { address } = await h.tracker();
    const watcher = await h.raw(address);
    watcher.register(CHAIN_A, 7001);
    const anon = await h.raw(address);
    anon.register(CHAIN_A, 7002, undefined);
    const any = await h.raw(address);
    any.register(CHAIN_A, 7003, '0.0.0.0');
    await waitFor(() => watcher.lastPeers()?.peers.length === 3, 'three members');
    expect(keys(watcher.lastPeers()!.peers)).toEqual(['127.0.0.1:7001', '127.0.0.1:7002', '127.0.0.1:7003']);
    anon.send({ type: 'leave' });
    await waitFor(() => watcher.lastPeers()?.peers.length === 2, 'the leaver to be gone');
    expect(anon.closed).toBe(false);
  });

  it('answers heartbeats, so a client can tell a live tracker from a silent one', async () => {
    const { address } = await h.tracker();
    const peer = await h.raw(address);
    peer.send({ type: 'heartbeat' });
    await waitFor(() => peer.messages.some((m) => m.type === 'heartbeat'), 'a heartbeat back');
  });

  it('lets the newest registration of an address win', async () => {
    const { address } = await h.tracker();
    const old = await h.raw(address);
    old.register(CHAIN_A, 7001);
    await waitFor(() => old.lastPeers(), 'the first list');
    const fresh = await h.raw(address);
    fresh.register(CHAIN_A, 7001);
    await waitFor(() => old.closed, 'the old connection to be closed');
    expect(old.errorCodes()).toEqual(['ADDRESS_REPLACED']);
    await waitFor(() => fresh.lastPeers()?.peers.length === 1, 'the new connection to hold the address');
  });

  it('refuses connections beyond maxConnections and serves the ones it holds', async () => {
    const { server, address } = await h.tracker({ maxConnections: 2 });
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

  it('refuses a register of another protocol version', async () => {
    const { address } = await h.tracker();
    const peer = await h.raw(address);
    peer.send({ type: 'register', version: 2, chainId: CHAIN_A, host: '127.0.0.1', port: 7001 });
    await waitFor(() => peer.closed, 'the connection to be closed');
    expect(peer.errorCodes()).toEqual(['VERSION_UNSUPPORTED']);
  });

  it('stop is idempotent and releases the port', async () => {
    const { server, address } = await h.tracker();
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
