import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeDataHeader } from '../../../src/plugins/transport-udp/frame.js';
import { ProcNet, type ProcNode } from '../../support/devnet-procs.js';
import { RawPeer } from '../../support/raw-peer.js';

/**
 * Finding 4 of issue 10: a source that never proved its address got answers up to 6.5 times
 * the size of what it sent (a 34-byte getpeers drew a 222-byte hello), and one hello made it
 * "ready", greeted again every 5 s: with a spoofed source address the node was an amplifier
 * against any victim. Each message type is sent here from a fresh, never-proven source, and
 * everything that comes back to it is counted.
 */
const ROUNDS = 1;
const LISTEN_MS = 6000;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** Everything an unproven source can send, one entry per message type; `bare` ones travel as handshake frames. */
function probes(chainId: string, peer: RawPeer): Record<string, () => Promise<void>> {
  const claim = peer.claim(chainId, { work: 'f'.repeat(40) });
  const nonce = () => (peer.protocol === 2 ? { nonce: hex(16) } : {});
  const token = randomBytes(16); // one the node never gave
  const session = (m: Record<string, unknown>) => () => peer.sendSession(m, token);
  return {
    'hello (no cookie)': () => peer.sendHandshake({ t: 'hello', ...claim, ...nonce() }),
    'hello (forged cookie)': () => peer.sendHandshake({ t: 'hello', ...claim, ...nonce(), cookie: hex(16), session: hex(16) }),
    'hello (other chain)': () => peer.sendHandshake({ t: 'hello', ...claim, chainId: hex(32), ...nonce() }),
    challenge: () => peer.sendHandshake({ t: 'challenge', cookie: hex(16), echo: hex(16) }),
    probe: () => peer.sendHandshake({ t: 'probe', token: hex(16) }),
    'hello-ack': session({ t: 'hello-ack', ...claim, ...(peer.protocol === 2 ? { session: hex(16) } : {}) }),
    status: session({ t: 'status', ...claim }),
    inv: session({ t: 'inv', blocks: [hex(32)], txs: [hex(32)] }),
    getheaders: session({ t: 'getheaders', locator: [chainId] }),
    headers: session({ t: 'headers', headers: [] }),
    getblocks: session({ t: 'getblocks', hashes: [chainId], req: 1 }),
    blocks: session({ t: 'blocks', blocks: [] }),
    gettxs: session({ t: 'gettxs', ids: [hex(32)] }),
    txs: session({ t: 'txs', txs: [] }),
    getpeers: session({ t: 'getpeers' }),
    peers: session({ t: 'peers', peers: [{ host: '127.0.0.1', port: 9 }] }),
    'not a frame': () => peer.sendBytes(randomBytes(64)),
  };
}

describe('attack: amplification towards unproven sources', () => {
  const net = new ProcNet();
  const peers: RawPeer[] = [];
  afterEach(async () => {
    for (const p of peers.splice(0)) p.close();
    await net.stop();
  });

  const source = async (node: ProcNode) => {
    const peer = await RawPeer.open(node.address);
    peers.push(peer);
    return peer;
  };

  it('every message type from a fresh unproven source: bytes answered <= bytes received', async () => {
    const node = await net.startNode({ mine: 'off', tracker: null });
    const names = Object.keys(probes(node.chainId, await source(node)));
    const byType = new Map<string, RawPeer>();
    // One fresh source per type, all at once: a per-source limit must not hide a type's own answer.
    await Promise.all(
      names.map(async (name) => {
        const peer = await source(node);
        byType.set(name, peer);
        const send = probes(node.chainId, peer)[name]!;
        for (let i = 0; i < ROUNDS; i++) await send();
      }),
    );
    // Long enough for any periodic greeting (every 5 s before the hardening) to come too.
    await new Promise((r) => setTimeout(r, LISTEN_MS));
    const rows = names.map((name) => {
      const p = byType.get(name)!;
      return { name, sent: p.bytesOut, answered: p.bytesIn, factor: p.bytesIn / p.bytesOut };
    });
    console.info(rows.map((r) => `${r.name}: ${r.answered} / ${r.sent} B = ${r.factor.toFixed(2)}`).join('\n'));
    expect(node.proc.running).toBe(true);
    const amplified = rows.filter((r) => r.answered > r.sent).map((r) => `${r.name} ${r.factor.toFixed(2)}x`);
    expect(amplified.join(', '), 'message types answered with more bytes than they carried').toBe('');
  });

  it('a partial message from an unproven source is not answered with more NACK bytes than it carried', async () => {
    const node = await net.startNode({ mine: 'off', tracker: null });
    const peer = await source(node);
    // The last 1 KiB fragment of each of 8 messages of 8 MiB (8,192 fragments): the rest never comes.
    const total = 8 * 1024 * 1024;
    const fragSize = 1024;
    const count = total / fragSize;
    for (let id = 1; id <= 8; id++)
      await peer.sendDatagram(
        Buffer.concat([encodeDataHeader({ id, total, fragSize, index: count - 1, count }), randomBytes(total - (count - 1) * fragSize)]),
      );
    // Twelve NACK rounds, 40 ms apart growing to 500 ms: all sent within 4 s.
    await new Promise((r) => setTimeout(r, 4000));
    const factor = peer.bytesIn / peer.bytesOut;
    console.info(
      `8 last fragments: ${peer.bytesOut} B sent, ${peer.bytesIn} B of NACKs back in ${peer.datagramsIn} datagrams (${factor.toFixed(1)}x)`,
    );
    expect(node.proc.running).toBe(true);
    expect(peer.bytesIn, `NACKs to a source that never proved its address: ${factor.toFixed(1)}x what it sent`).toBeLessThanOrEqual(
      peer.bytesOut,
    );
  });
});
