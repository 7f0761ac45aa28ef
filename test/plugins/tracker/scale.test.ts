import { afterEach, describe, expect, it } from 'vitest';
import { CHAIN_A, Harness, RawPeer, waitFor } from './helpers.js';

const h = new Harness();
afterEach(() => h.close());

describe('TrackerServer at scale', () => {
  it('pushes the full list to every one of 300 members', async () => {
    // No probes: nobody answers at these ports, and the test is about pushing lists.
    const { server, address } = await h.tracker({ ttlMs: 60_000, minPushIntervalMs: 50, probe: undefined });
    const peers: RawPeer[] = [];
    for (let i = 0; i < 300; i++) peers.push(await h.raw(address));
    const started = performance.now();
    peers.forEach((peer, i) => peer.register(CHAIN_A, 20_000 + i));
    await waitFor(() => peers.every((p) => p.lastPeers()?.peers.length === 300), 'all 300 to receive the full list', 20_000);
    const joinMs = performance.now() - started;

    // One more join: the time to push a 301-entry list to 301 members.
    const late = await h.raw(address);
    // Past the push interval, so the measurement is the push itself, not the throttle.
    await new Promise((resolve) => setTimeout(resolve, 60));
    const pushStarted = performance.now();
    late.register(CHAIN_A, 20_300);
    await waitFor(() => [...peers, late].every((p) => p.lastPeers()?.peers.length === 301), 'all 301 to receive the new list', 20_000);
    const pushMs = performance.now() - pushStarted;

    const expected = Array.from({ length: 301 }, (_, i) => 20_000 + i);
    for (const peer of [peers[0]!, peers[150]!, peers[299]!, late]) {
      expect(
        peer
          .lastPeers()!
          .peers.map((p) => p.port)
          .sort((a, b) => a - b),
      ).toEqual(expected);
    }
    const frameBytes = JSON.stringify(late.lastPeers()).length + 4;
    expect(frameBytes).toBeGreaterThan(1500); // the size that killed the original's peer thread
    expect(server.status()).toMatchObject({ peers: 301, connections: 301 });
    // Bursts are coalesced: far fewer pushes than joins.
    expect(server.status().pushes).toBeLessThan(150);
    console.info(
      `tracker scale: 300 joins -> full list at all 300 in ${joinMs.toFixed(0)} ms (${server.status().pushes} pushes); ` +
        `one join -> ${frameBytes}-byte list at all 301 in ${pushMs.toFixed(0)} ms`,
    );
  });

  it('a slow client that never reads does not block the others, and is dropped', async () => {
    const { server, address } = await h.tracker({ ttlMs: 60_000, minPushIntervalMs: 2, maxBufferedBytes: 256 * 1024, probe: undefined });
    // Fillers read and discard, so lists are large (~26 KB) without costing the test much.
    for (let i = 0; i < 500; i++) {
      const filler = await h.raw(address);
      filler.socket.removeAllListeners('data');
      filler.socket.resume();
      filler.register(CHAIN_A, 30_000 + i);
    }
    const honest = [await h.raw(address), await h.raw(address)];
    honest.forEach((p, i) => p.register(CHAIN_A, 7001 + i));
    const slow = await h.raw(address);
    slow.register(CHAIN_A, 7666);
    await waitFor(() => server.status().peers === 503, 'everyone registered');
    slow.socket.pause();

    // Churn until the slow client's backlog passes the bound; honest members keep up meanwhile.
    const churner = await h.raw(address);
    const started = performance.now();
    let rounds = 0;
    while (server.status().dropped === 0) {
      if (performance.now() - started > 30_000) throw new Error(`slow client never dropped after ${rounds} rounds`);
      rounds++;
      churner.register(CHAIN_A, 40_000 + rounds);
      const port = 40_000 + rounds;
      // 504 members, or 503 once the slow one has been dropped.
      await waitFor(
        () => honest.every((p) => p.lastPeers()?.peers.some((x) => x.port === port) && p.lastPeers()!.peers.length >= 503),
        `round ${rounds} to reach the honest`,
      );
    }
    const dropMs = performance.now() - started;
    await waitFor(() => slow.closed || slow.socket.destroyed || server.status().peers === 503, 'the slow client to be gone');
    await waitFor(() => honest.every((p) => !p.lastPeers()!.peers.some((x) => x.port === 7666)), 'the slow client to leave every list');
    expect(server.status()).toMatchObject({ dropped: 1, peers: 503 });
    console.info(`tracker slow client: dropped after ${rounds} pushes of ~26 KB (${dropMs.toFixed(0)} ms); honest members got every push`);
  });
});
