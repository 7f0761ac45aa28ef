// The network edge: how many bytes a node sends to a source that never proved its address, per
// message type (the amplification factor a spoofer could use a node for; goal <= 1.0), and what
// the edge's own checks cost on honest traffic, as a ratio to parsing the same bytes (measured
// in the same run: the depth scan, the schema check and the session-token check against a bare
// JSON.parse).
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { decodeSession, encodeHandshake, encodeSession, PROTOCOL_VERSION } from '../dist/kernel/net/messages.js';
import { jsonNestsDeeperThan } from '../dist/kernel/untrusted-json.js';
import { encodeDataHeader } from '../dist/plugins/transport-udp/frame.js';
import { benchNode, nextBlock } from './nodes.mjs';

export const title = 'edge: bytes answered to unproven sources, and the cost of judging';

const ROUNDS = Number(process.env.BENCH_EDGE_ROUNDS ?? 50);

function datagram(id, payload) {
  return Buffer.concat([
    encodeDataHeader({ id, total: payload.length, fragSize: Math.max(payload.length, 1), index: 0, count: 1 }),
    payload,
  ]);
}

/** Everything an unproven source can send, one entry per message type (and the transport's own partial message). */
function probes(chainId) {
  const claim = { version: PROTOCOL_VERSION, chainId, tip: chainId, height: 0, work: 'f'.repeat(40) };
  const token = () => randomBytes(16).toString('hex');
  const hex = () => randomBytes(32).toString('hex');
  const wrongToken = randomBytes(16);
  const session = (m) => encodeSession(wrongToken, m);
  return {
    'hello (no cookie)': () => encodeHandshake({ t: 'hello', ...claim, nonce: token() }),
    'hello (forged cookie)': () => encodeHandshake({ t: 'hello', ...claim, nonce: token(), cookie: token(), session: token() }),
    'hello (other chain)': () => encodeHandshake({ t: 'hello', ...claim, chainId: hex(), nonce: token() }),
    challenge: () => encodeHandshake({ t: 'challenge', cookie: token(), echo: token() }),
    probe: () => encodeHandshake({ t: 'probe', token: token() }),
    'hello-ack': () => session({ t: 'hello-ack', ...claim, session: token() }),
    status: () => session({ t: 'status', ...claim }),
    inv: () => session({ t: 'inv', blocks: [hex()], txs: [hex()] }),
    getheaders: () => session({ t: 'getheaders', locator: [chainId] }),
    headers: () => session({ t: 'headers', headers: [] }),
    getblocks: () => session({ t: 'getblocks', hashes: [chainId], req: 1 }),
    blocks: () => session({ t: 'blocks', blocks: [] }),
    gettxs: () => session({ t: 'gettxs', ids: [hex()] }),
    txs: () => session({ t: 'txs', txs: [] }),
    getpeers: () => session({ t: 'getpeers' }),
    peers: () => session({ t: 'peers', peers: [] }),
    'not a frame': () => randomBytes(64),
  };
}

async function amplification() {
  const target = await benchNode({ peers: [] });
  const [host, port] = target.address().split(':');
  const chainId = target.node.chainId;
  const rows = [];
  let worst = 0;
  for (const [name, make] of Object.entries(probes(chainId))) {
    // A fresh source per type: the per-source answer limits must not hide a type's own answer.
    const socket = createSocket('udp4');
    await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
    let received = 0;
    socket.on('message', (m) => (received += m.length));
    let sent = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const d = datagram(0x4000_0000 + i, make());
      sent += d.length;
      await new Promise((resolve) => socket.send(d, Number(port), host, resolve));
    }
    await new Promise((r) => setTimeout(r, 150));
    socket.close();
    const factor = received / sent;
    worst = Math.max(worst, factor);
    rows.push([`${name}: answered / received`, `${factor.toFixed(2)} (${received} / ${sent} B)`, '<= 1.0']);
  }
  // The transport's own answer to an unproven source: NACKs for a message whose rest never comes.
  const socket = createSocket('udp4');
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  let nacked = 0;
  socket.on('message', (m) => (nacked += m.length));
  const first = Buffer.concat([encodeDataHeader({ id: 0x7000_0001, total: 8192, fragSize: 1024, index: 0, count: 8 }), randomBytes(1024)]);
  await new Promise((resolve) => socket.send(first, Number(port), host, resolve));
  await new Promise((r) => setTimeout(r, 5500));
  socket.close();
  const nackFactor = nacked / first.length;
  worst = Math.max(worst, nackFactor);
  rows.push(['first fragment of 8 (transport NACKs over 5 s)', `${nackFactor.toFixed(2)} (${nacked} / ${first.length} B)`, '<= 1.0']);
  await target.close();
  rows.push(['worst amplification factor', worst.toFixed(2), '<= 1.0']);
  return rows;
}

/** The edge's checks on an honest sync page (250 blocks of 20 transactions), against JSON.parse of the same bytes. */
async function judgeCost() {
  const node = await benchNode({ network: false });
  const blocks = [];
  for (let i = 0; i < 250; i++) {
    const txs = Array.from({ length: 20 }, (_, j) => ({
      app: 'voting',
      type: 'ballot.cast',
      payload: { election: 'default', choice: `c${i}-${j}` },
      from: 'a'.repeat(64),
      nonce: j,
      sig: 'b'.repeat(128),
    }));
    blocks.push({ ...nextBlock(node.node, []), txs });
  }
  await node.close();
  const body = Buffer.from(JSON.stringify({ t: 'blocks', blocks, req: 1 }));
  const frame = encodeSession(randomBytes(16), body);
  const time = (fn, n = 30) => {
    for (let i = 0; i < 5; i++) fn();
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    return (performance.now() - t) / n;
  };
  const parse = time(() => JSON.parse(body.toString('utf8')));
  const depth = time(() => jsonNestsDeeperThan(body, 32));
  const decode = time(() => decodeSession(frame.subarray(17)));
  return [
    [`sync page of ${(body.length / 1e6).toFixed(1)} MB: JSON.parse alone`, `${parse.toFixed(2)} ms`, ''],
    ['  its depth scan', `${depth.toFixed(2)} ms (${(depth / parse).toFixed(2)} of parse)`, ''],
    [
      '  the whole edge decode (depth, parse, prototype keys, schema)',
      `${decode.toFixed(2)} ms (${(decode / parse).toFixed(2)} of parse)`,
      '<= 1.3 of parse',
    ],
  ];
}

export async function run() {
  const rows = [...(await amplification()), ...(await judgeCost())];
  return {
    rows,
    notes: [
      `${ROUNDS} datagrams per type from a fresh unproven source; session types carry a token the node never gave`,
      'answered bytes include the UDP transport header of every answer; challenges answer hellos only, and only when smaller',
      'sync and propagation rates with the edge in place: npm run bench -- network',
    ],
  };
}
