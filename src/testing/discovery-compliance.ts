import assert from 'node:assert/strict';
import type { Discovery, PeerAddress } from '../kernel/index.js';
import { sleep, waitUntil, type ComplianceTestApi } from './compliance-api.js';

export interface DiscoveryUnderTest {
  /** A fresh discovery, not yet started. */
  discovery: Discovery;
  /** The node's own address: never one of `peers()`. */
  self: PeerAddress;
  /** Peers it must come to report once started (static ones, members of a tracker the factory runs); at least one. */
  expected: PeerAddress[];
  /**
   * Hands the discovery untrusted entries the way it learns addresses from outside (peer
   * exchange, a tracker's list). Leave it out for a discovery that learns from nowhere else.
   */
  offer?(entries: readonly unknown[]): void | Promise<void>;
  /** The most peers `peers()` may hold however much is offered. Needed with `offer`. */
  maxPeers?: number;
  /** Stops what the factory started beside the discovery (a tracker); the discovery is stopped first. */
  dispose?(): Promise<void>;
}

const key = (p: PeerAddress) => `${p.host}:${p.port}`;
const sortedKeys = (list: readonly PeerAddress[]) => list.map(key).sort();

function assertWellFormed(list: unknown): asserts list is PeerAddress[] {
  assert.ok(Array.isArray(list), 'peers() is not an array');
  for (const peer of list as unknown[]) {
    const { host, port } = (peer ?? {}) as { host?: unknown; port?: unknown };
    assert.ok(typeof host === 'string' && host.length > 0, `a peer without a host: ${JSON.stringify(peer)}`);
    assert.ok(Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65_535, `a peer with port ${String(port)}`);
  }
}

/** `count` distinct loopback addresses no node listens on, from the high end of the port range. */
function freshAddresses(count: number, from = 60_000): PeerAddress[] {
  return Array.from({ length: count }, (_, i) => ({ host: '127.0.0.1', port: from - i }));
}

const JUNK: unknown[] = [
  null,
  7,
  'peer',
  {},
  { host: '127.0.0.1' },
  { host: '127.0.0.1', port: 0 },
  { host: '127.0.0.1', port: 70_000 },
  { host: '127.0.0.1', port: 1.5 },
  { host: 42, port: 4000 },
  { host: 'x'.repeat(10_000), port: 4000 },
];

/**
 * The contract every Discovery plugin must keep: a life that can be started and stopped any
 * number of times, well-formed peer lists without the node itself, change events, and bounds
 * on what outsiders can make it hold.
 */
export function describeDiscoveryCompliance(test: ComplianceTestApi, name: string, makeDiscovery: () => Promise<DiscoveryUnderTest>): void {
  const { describe, it } = test;

  const withDiscovery = (body: (subject: DiscoveryUnderTest) => Promise<void>) => async () => {
    const subject = await makeDiscovery();
    try {
      assert.ok(subject.expected.length > 0, 'the factory must name at least one expected peer');
      await body(subject);
    } finally {
      await subject.discovery.stop?.();
      await subject.dispose?.();
    }
  };

  const reportsExpected = (discovery: Discovery, expected: readonly PeerAddress[]) => {
    const have = new Set(discovery.peers().map(key));
    return expected.every((p) => have.has(key(p)));
  };

  describe(`${name} keeps the Discovery contract`, () => {
    it(
      'starts and stops, twice over and concurrently, and stopping a discovery never started is harmless',
      withDiscovery(async ({ discovery }) => {
        await discovery.stop?.();
        await discovery.stop?.();
        const again = await makeDiscovery();
        try {
          await Promise.all([again.discovery.start?.(), again.discovery.start?.()]);
          await again.discovery.start?.();
          await Promise.all([again.discovery.stop?.(), again.discovery.stop?.()]);
          await again.discovery.stop?.();
        } finally {
          await again.discovery.stop?.();
          await again.dispose?.();
        }
      }),
    );

    it(
      'reports the expected peers once started, each once, never itself',
      withDiscovery(async ({ discovery, expected, self }) => {
        await discovery.start?.();
        await waitUntil(() => reportsExpected(discovery, expected), `the expected peers ${sortedKeys(expected).join(', ')}`);
        const peers = discovery.peers();
        assertWellFormed(peers);
        assert.equal(new Set(peers.map(key)).size, peers.length, `a peer listed twice: ${sortedKeys(peers).join(', ')}`);
        assert.ok(!peers.some((p) => key(p) === key(self)), 'the node itself is listed');
      }),
    );

    it(
      'hands out copies: changing a returned list changes nothing inside',
      withDiscovery(async ({ discovery, expected }) => {
        await discovery.start?.();
        await waitUntil(() => reportsExpected(discovery, expected), 'the expected peers');
        const before = sortedKeys(discovery.peers());
        const handed = discovery.peers();
        handed[0]!.port = 1;
        handed[0]!.host = '203.0.113.1';
        handed.push({ host: '203.0.113.2', port: 2 });
        handed.splice(0, 1);
        assert.deepEqual(sortedKeys(discovery.peers()), before);
      }),
    );

    it(
      'tells every change handler the peers it comes to know, even when one handler throws',
      withDiscovery(async ({ discovery, expected }) => {
        const lists: PeerAddress[][] = [];
        discovery.onChange(() => {
          throw new Error('a handler that fails');
        });
        discovery.onChange((peers) => lists.push(peers));
        await discovery.start?.();
        const covers = (list: PeerAddress[]) => expected.every((p) => list.some((q) => key(q) === key(p)));
        await waitUntil(() => lists.some(covers), 'a change event naming the expected peers');
        for (const list of lists) assertWellFormed(list);
        assert.ok(reportsExpected(discovery, expected), 'peers() forgot what the change event said');
      }),
    );

    it(
      'reports no change after stop',
      withDiscovery(async ({ discovery, expected, offer }) => {
        await discovery.start?.();
        await waitUntil(() => reportsExpected(discovery, expected), 'the expected peers');
        await discovery.stop?.();
        let changes = 0;
        discovery.onChange(() => changes++);
        await offer?.(freshAddresses(20));
        await sleep(200);
        assert.equal(changes, 0);
        assertWellFormed(discovery.peers());
      }),
    );

    it(
      'keeps peers() within its bound however many addresses it is offered',
      withDiscovery(async ({ discovery, expected, offer, maxPeers }) => {
        await discovery.start?.();
        await waitUntil(() => reportsExpected(discovery, expected), 'the expected peers');
        if (!offer) {
          // Nothing outside can add to it: what it reports is what it was given.
          assert.deepEqual(sortedKeys(discovery.peers()), sortedKeys(expected));
          return;
        }
        assert.ok(maxPeers !== undefined && maxPeers >= expected.length, 'a factory with `offer` must give `maxPeers`');
        for (let round = 0; round < 3; round++) await offer(freshAddresses(maxPeers + 100, 60_000 - round * (maxPeers + 100)));
        const peers = discovery.peers();
        assertWellFormed(peers);
        assert.ok(peers.length <= maxPeers, `${peers.length} peers, over the bound of ${maxPeers}`);
      }),
      60_000,
    );

    it(
      'reports no malformed entry it is offered',
      withDiscovery(async ({ discovery, expected, offer }) => {
        await discovery.start?.();
        await waitUntil(() => reportsExpected(discovery, expected), 'the expected peers');
        const before = sortedKeys(discovery.peers());
        await offer?.(JUNK);
        await sleep(50);
        assertWellFormed(discovery.peers());
        assert.deepEqual(sortedKeys(discovery.peers()), before);
      }),
    );

    it(
      'takes junk reachability probes without throwing, before start, while running and after stop',
      withDiscovery(async ({ discovery, expected }) => {
        if (!discovery.probed) return;
        const junk: [unknown, unknown][] = [
          ['', { host: '127.0.0.1', port: 1 }],
          ['not a token', expected[0]],
          ['a'.repeat(100_000), { host: '203.0.113.9', port: 9 }],
          [undefined, undefined],
          [42, null],
        ];
        const probeAll = () => {
          for (const [token, from] of junk) discovery.probed!(token as string, from as PeerAddress);
        };
        probeAll();
        await discovery.start?.();
        probeAll();
        await waitUntil(() => reportsExpected(discovery, expected), 'the expected peers');
        await discovery.stop?.();
        probeAll();
      }),
    );
  });
}
