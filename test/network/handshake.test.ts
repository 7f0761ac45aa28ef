import { afterEach, describe, expect, it } from 'vitest';
import { ProcNet } from '../support/devnet-procs.js';
import { RawPeer } from '../support/raw-peer.js';
import { waitFor } from '../support/wait.js';

describe('the proof-of-address handshake on a lossy link', () => {
  const net = new ProcNet();
  const raw: RawPeer[] = [];
  afterEach(async () => {
    for (const p of raw.splice(0)) p.close();
    await net.stop();
  });

  it('a node whose hello-ack was lost proves itself again and completes the session', async () => {
    // A hand-made peer the node dials (a static peer); it answers like a node, but "loses" its first hello-ack.
    const peer = await RawPeer.open({ host: '127.0.0.1', port: 1 });
    raw.push(peer);
    const node = await net.startNode({ tracker: null, extraArgs: ['--peer', `127.0.0.1:${peer.address.port}`] });
    const [host, port] = node.address.split(':');
    peer.to = { host: host!, port: Number(port) };
    const chainId = node.chainId;
    const helloes = () => peer.received.filter((r) => r.frame === 'bare' && r.message?.t === 'hello');

    // Its first hello: we challenge it, it proves itself, and we say nothing more (the ack is lost).
    await waitFor('the node to greet us', () => helloes().length >= 1, 10_000);
    const first = helloes()[0]!.message as unknown as { nonce: string };
    await peer.sendHandshake({ t: 'challenge', cookie: 'c'.repeat(32), echo: first.nonce });
    await waitFor('its proof', () => helloes().some((r) => (r.message as unknown as { cookie?: string }).cookie === 'c'.repeat(32)), 5000);
    const proven = helloes().length;

    // Without an ack it must ask again (a lost datagram must not leave a half-open session for good).
    await waitFor('a hello again after the lost ack', () => helloes().length > proven, 6000);
    const again = helloes().at(-1)!.message as unknown as { nonce: string };
    await peer.sendHandshake({ t: 'challenge', cookie: 'd'.repeat(32), echo: again.nonce });
    await waitFor(
      'its proof again',
      () => helloes().some((r) => (r.message as unknown as { cookie?: string }).cookie === 'd'.repeat(32)),
      5000,
    );
    const proof = helloes().find((r) => (r.message as unknown as { cookie?: string }).cookie === 'd'.repeat(32))!.message as unknown as {
      session: string;
    };
    peer.present = Buffer.from(proof.session, 'hex');
    await peer.sendSession({ t: 'hello-ack', ...peer.claim(chainId), session: peer.expect.toString('hex') });

    // Now the session works both ways: the node's keepalives reach us in our session frame.
    await waitFor('a status from the node', () => peer.messages('status').length > 0, 10_000);
    const status = await node.api.status();
    expect(status.peers).toBe(1);
  }, 60_000);
});
