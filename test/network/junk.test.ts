import { randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeHandshake, encodeSession, PROTOCOL_VERSION } from '../../src/kernel/net/messages.js';
import {
  decodeMessage,
  encodeFrame,
  encodeMessage,
  FrameDecoder,
  TRACKER_PROTOCOL_VERSION,
  type TrackerMessage,
} from '../../src/plugins/tracker/index.js';
import { encodeDataHeader, encodeNack, MAX_DATAGRAM_BYTES } from '../../src/plugins/transport-udp/frame.js';
import { Signer } from '../support/chain-fixture.js';
import { RawPeer } from '../support/raw-peer.js';
import { confirmedEverywhere, ProcNet, waitForAgreement, waitForPeers, type ProcNode } from '../support/devnet-procs.js';

interface Exchange {
  messages: TrackerMessage[];
  /** The tracker closed the connection. */
  closed: boolean;
}

/**
 * Talks raw bytes to a tracker: writes each chunk (a pause between them, so they arrive as
 * separate reads), then collects decoded frames until `done` holds, the tracker closes, or time runs out.
 */
function talkToTracker(
  address: string,
  chunks: Buffer[],
  done: (m: TrackerMessage[]) => boolean = () => false,
  timeoutMs = 3000,
): Promise<Exchange> {
  const [host, port] = [address.split(':')[0]!, Number(address.split(':')[1])];
  return new Promise((resolve) => {
    const socket = connect({ host, port, noDelay: true });
    const decoder = new FrameDecoder();
    const messages: TrackerMessage[] = [];
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ messages, closed });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (chunk) => {
      for (const frame of decoder.push(chunk).frames) {
        const decoded = decodeMessage(frame);
        if (decoded.ok) messages.push(decoded.message);
      }
      if (done(messages)) finish(false);
    });
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (settled || socket.destroyed) return;
        socket.write(chunk);
        if (chunks.length > 1) await sleep(1);
      }
    });
  });
}

function bytewise(frame: Buffer): Buffer[] {
  return [...frame].map((b) => Buffer.from([b]));
}

/** The datagrams of the UDP transport carrying `payload` as one message (fragmented past 60,000 bytes). */
function dataDatagrams(payload: Buffer, id: number, fragSize = 60_000): Buffer[] {
  const size = payload.length <= fragSize ? Math.max(payload.length, 1) : fragSize;
  const count = Math.max(1, Math.ceil(payload.length / size));
  return Array.from({ length: count }, (_, index) =>
    Buffer.concat([
      encodeDataHeader({ id, total: payload.length, fragSize: size, index, count }),
      payload.subarray(index * size, (index + 1) * size),
    ]),
  );
}

describe('junk on the wire', () => {
  const net = new ProcNet();
  const junk: UdpSocket[] = [];
  const raw: RawPeer[] = [];
  afterEach(async () => {
    for (const socket of junk.splice(0)) socket.close();
    for (const peer of raw.splice(0)) peer.close();
    await net.stop();
  });

  it('junk at the UDP port and at the tracker port: no crash, and honest service continues', async () => {
    const tracker = await net.startTracker();
    const nodes = [await net.startNode(), await net.startNode(), await net.startNode()];
    await waitForPeers(nodes, 2);
    const chainId = nodes[0]!.chainId;
    const alice = new Signer(chainId);
    const before = await nodes[0]!.api.submitTx(alice.tx('notes', 'note', { text: 'before the junk' }));
    await confirmedEverywhere(nodes, [before.id]);

    // --- UDP: every node gets the same barrage from one hostile socket... ---
    const socket = createSocket('udp4');
    junk.push(socket);
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    for (const node of nodes) await sendAll(socket, node, udpJunk());
    // ...and from two peers that complete the handshake and then lie.
    for (const node of nodes) {
      for (const lies of [vandal(chainId), braggart(chainId)]) {
        const peer = await RawPeer.open(node.address);
        raw.push(peer);
        await peer.handshake(chainId);
        for (const body of lies) await peer.sendSession(body);
      }
    }

    // --- Tracker: each malformed stream is answered with an error and closed; nothing else happens. ---
    const register = (port: number) => encodeMessage({ type: 'register', version: TRACKER_PROTOCOL_VERSION, chainId, port });
    const bad: Array<[string, Buffer[], string[]]> = [
      ['random bytes', [randomBytes(4096)], ['FRAME_TOO_LARGE', 'FRAME_EMPTY', 'MESSAGE_MALFORMED']],
      ['oversized frame', [Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3])], ['FRAME_TOO_LARGE']],
      ['empty frame', [Buffer.from([0, 0, 0, 0])], ['FRAME_EMPTY']],
      ['not JSON', [encodeFrame(Buffer.from('hello tracker'))], ['MESSAGE_MALFORMED']],
      ['not UTF-8', [encodeFrame(Buffer.from([0xc3, 0x28, 0xa0, 0xa1]))], ['MESSAGE_MALFORMED']],
      ['prototype key', [encodeFrame(Buffer.from('{"type":"heartbeat","__proto__":{"x":1}}'))], ['MESSAGE_MALFORMED']],
      ['wrong type', [encodeMessage({ type: 'peers', chainId, peers: [] })], ['MESSAGE_UNEXPECTED']],
      ['unknown type', [encodeFrame(Buffer.from('{"type":"gimme"}'))], ['MESSAGE_MALFORMED']],
      [
        'bad chain id',
        [encodeFrame(Buffer.from(`{"type":"register","version":${TRACKER_PROTOCOL_VERSION},"chainId":"zz","port":1}`))],
        ['MESSAGE_MALFORMED'],
      ],
      [
        'a claimed host',
        [
          encodeFrame(
            Buffer.from(JSON.stringify({ type: 'register', version: TRACKER_PROTOCOL_VERSION, chainId, host: '255.255.255.255', port: 9 })),
          ),
        ],
        ['MESSAGE_MALFORMED'],
      ],
      ['deep nesting', [encodeFrame(Buffer.from('['.repeat(2000) + ']'.repeat(2000)))], ['MESSAGE_TOO_DEEP']],
      ['first protocol version', [encodeMessage({ type: 'register', version: 1, chainId, port: 9 })], ['VERSION_UNSUPPORTED']],
      ['future version', [encodeMessage({ type: 'register', version: 99, chainId, port: 9 })], ['VERSION_UNSUPPORTED']],
      [
        'good frame then junk in one write',
        [Buffer.concat([encodeMessage({ type: 'heartbeat' }), Buffer.from([0, 0, 0, 0])])],
        ['FRAME_EMPTY'],
      ],
      ['split oversized header', bytewise(Buffer.from([0x7f, 0, 0, 0])), ['FRAME_TOO_LARGE']],
    ];
    const answers = await Promise.all(bad.map(([, chunks]) => talkToTracker(tracker, chunks)));
    for (const [i, [what, , codes]] of bad.entries()) {
      const { messages, closed } = answers[i]!;
      expect(closed, `${what}: closed`).toBe(true);
      const errors = messages.filter((m) => m.type === 'error');
      expect(
        errors.map((e) => (e.type === 'error' ? e.code : '')),
        what,
      ).toHaveLength(1);
      expect(codes, what).toContain((errors[0] as { code: string }).code);
      expect(
        messages.some((m) => m.type === 'peers'),
        `${what}: no list leaked`,
      ).toBe(false);
    }
    // A truncated frame followed by a hang-up costs nothing but that connection.
    await talkToTracker(tracker, [register(40_001).subarray(0, 20)], () => false, 200);

    // Honest framing edge cases work: two frames in one write, one frame split byte by byte.
    const gotList = (m: TrackerMessage[]) => m.some((x) => x.type === 'peers');
    const coalesced = await talkToTracker(
      tracker,
      [Buffer.concat([register(40_002), encodeMessage({ type: 'heartbeat' })])],
      (m) => gotList(m) && m.some((x) => x.type === 'heartbeat'),
    );
    // v2: the tracker also says under which address it lists the registrant, and whether it is verified.
    expect(coalesced.messages.map((m) => m.type).sort()).toEqual(['heartbeat', 'peers', 'registered']);
    const split = await talkToTracker(tracker, bytewise(register(40_003)), gotList, 5000);
    const list = split.messages.find((m) => m.type === 'peers');
    expect(list, 'a client whose register came byte by byte gets the list').toBeDefined();
    const listed = (list as { peers: Array<{ host: string; port: number }> }).peers.map((p) => `${p.host}:${p.port}`);
    for (const node of nodes) expect(listed).toContain(node.address);
    expect(listed).toContain('127.0.0.1:40003');

    // --- Honest service continues: every process is alive and a new block reaches everyone. ---
    for (const node of nodes) expect(node.proc.running, `${node.name} alive`).toBe(true);
    expect(net.tracker!.running, 'tracker alive').toBe(true);
    // Promptly: a peer claiming a heavier chain it never serves must not hold back relay.
    const sentAt = Date.now();
    const after = await nodes[2]!.api.submitTx(alice.tx('notes', 'note', { text: 'after the junk' }));
    await confirmedEverywhere(nodes, [after.id], 3000);
    console.info(`a transaction sent after the junk was confirmed on all 3 nodes in ${Date.now() - sentAt} ms`);
    await waitForAgreement(nodes, { minHeight: 2 });
    const counted = (await nodes[0]!.api.status()).rejections;
    console.info(`node0 rejections after the junk: ${JSON.stringify(counted)}`);
    expect(Object.keys(counted).length).toBeGreaterThan(0);
  });
});

/** Garbage, truncated, oversized, wrong-typed and valid-looking-but-wrong datagrams. */
function udpJunk(): Buffer[] {
  const out: Buffer[] = [];
  let id = 0x7000_0000;
  // Random bytes of every size, the empty datagram and the largest one included.
  out.push(Buffer.alloc(0), randomBytes(MAX_DATAGRAM_BYTES));
  for (let i = 0; i < 150; i++) out.push(randomBytes(1 + Math.floor(Math.random() * 1500)));
  // Right magic, wrong everything else.
  const header = (type: number, version = 1, reserved = 0) => Buffer.from([0xca, version, type, reserved, 0, 0, 0, 1]);
  out.push(header(1), header(3), header(0xff), header(1, 2), header(1, 1, 7), Buffer.concat([header(2), Buffer.from([0, 0])]));
  out.push(Buffer.concat([header(2), Buffer.from([0x10, 0x00, 0, 1])])); // NACK claiming 4,096 indices, carrying one
  out.push(
    encodeNack(
      12345,
      Array.from({ length: 4096 }, (_, i) => i),
    ),
  ); // NACK for a message never sent
  // DATA headers that lie: truncated payload, total over the limit, count or index inconsistent.
  const payload = randomBytes(200);
  out.push(Buffer.concat([encodeDataHeader({ id: id++, total: 400, fragSize: 400, index: 0, count: 1 }), payload]));
  out.push(Buffer.concat([encodeDataHeader({ id: id++, total: 0xffffffff, fragSize: 60_000, index: 0, count: 0xffff }), payload]));
  out.push(Buffer.concat([encodeDataHeader({ id: id++, total: 200, fragSize: 100, index: 0, count: 2 }), payload.subarray(0, 100)]));
  out.push(Buffer.concat([encodeDataHeader({ id: id++, total: 5000, fragSize: 1024, index: 9, count: 5 }), payload]));
  // First fragments of big messages whose rest never comes (more than the 8 a peer may have open).
  for (let i = 0; i < 12; i++)
    out.push(
      Buffer.concat([encodeDataHeader({ id: id++, total: 4 * 1024 * 1024, fragSize: 60_000, index: 0, count: 70 }), randomBytes(60_000)]),
    );
  // Fragments of one message that disagree about its size.
  const liar = id++;
  out.push(Buffer.concat([encodeDataHeader({ id: liar, total: 3000, fragSize: 1024, index: 0, count: 3 }), randomBytes(1024)]));
  out.push(Buffer.concat([encodeDataHeader({ id: liar, total: 4000, fragSize: 1024, index: 1, count: 4 }), randomBytes(1024)]));
  // Well-framed messages whose content is wrong.
  const wrong = [
    Buffer.from('not json at all'),
    Buffer.from('[1,2,3]'),
    Buffer.from('{"t":"launch-missiles"}'),
    Buffer.from('{"t":"inv","blocks":["xyz"]}'),
    Buffer.from('{"t":"hello","__proto__":{"admin":true}}'),
    Buffer.from('['.repeat(50_000) + ']'.repeat(50_000)),
    encodeSession(Buffer.alloc(16), Buffer.from('['.repeat(50_000) + ']'.repeat(50_000))),
    encodeHandshake({
      t: 'hello',
      version: PROTOCOL_VERSION,
      chainId: 'ab'.repeat(32),
      tip: 'cd'.repeat(32),
      height: 1,
      work: '1',
      nonce: 'b'.repeat(32),
    }),
  ];
  for (const body of wrong) out.push(...dataDatagrams(body, id++));
  out.push(...fragmentedHello('ab'.repeat(32), id));
  return out;
}

/** A valid hello of this chain, sent as a message of many fragments, backwards and each twice (unproven: answered, never trusted). */
function fragmentedHello(chainId: string, id: number): Buffer[] {
  const hello = encodeHandshake({
    t: 'hello',
    version: PROTOCOL_VERSION,
    chainId,
    tip: chainId,
    height: 0,
    work: '1',
    nonce: 'a'.repeat(32),
  });
  const fragments = dataDatagrams(Buffer.concat([hello, Buffer.from(' '.repeat(3000))]), id, 1024);
  return [...[...fragments].reverse(), ...fragments];
}

/** What a proven peer of this chain sends to get itself banned: invalid transactions, blocks and headers. */
function vandal(chainId: string): Buffer[] {
  return [
    Buffer.from(JSON.stringify({ t: 'txs', txs: [{ app: 'notes', type: 'note', payload: { text: 1 } }] })),
    Buffer.from(JSON.stringify({ t: 'blocks', blocks: [{ header: { height: 1 }, txs: 'nope' }] })),
    Buffer.from(JSON.stringify({ t: 'headers', headers: [{ height: 1, prev: chainId }] })),
  ];
}

/** A proven peer of this chain that hands out dead addresses and claims a far heavier chain it never serves. */
function braggart(chainId: string): Buffer[] {
  return [
    Buffer.from(JSON.stringify({ t: 'peers', peers: Array.from({ length: 50 }, (_, i) => ({ host: '127.0.0.1', port: 1 + i })) })),
    Buffer.from(
      JSON.stringify({ t: 'status', version: PROTOCOL_VERSION, chainId, tip: 'ee'.repeat(32), height: 100_000, work: 'f'.repeat(40) }),
    ),
  ];
}

async function sendAll(socket: UdpSocket, node: ProcNode, datagrams: Buffer[]): Promise<void> {
  const [host, port] = [node.address.split(':')[0]!, Number(node.address.split(':')[1])];
  for (const [i, d] of datagrams.entries()) {
    await new Promise<void>((resolve) => socket.send(d, port, host, () => resolve()));
    if (i % 20 === 19) await sleep(2);
  }
}
