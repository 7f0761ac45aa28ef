// The voting app under load. (a) Validation rate of signed ballots through the path the mempool
// runs per transaction (decode, envelope, payload schema, signature, the app's check and
// reducer on a state overlay) against bare Ed25519 verifies with cached keys, in the same run.
// (b) Ballots committed per second on 4 nodes that gossip over UDP on loopback and all mine,
// and the latency from submit to counted on every node.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicKey, verify } from 'node:crypto';
import { votingApp } from '../dist/apps/voting/index.js';
import {
  CairnNode,
  createLogger,
  generateKeyPair,
  paramsFromFlags,
  parseNodeConfig,
  privateKeyFromHex,
  signingBytes,
  signTx,
  targetForSeconds,
  TRANSPORT,
} from '../dist/kernel/index.js';
import { BaseState, StateOverlay } from '../dist/kernel/state.js';
import { TxRules } from '../dist/kernel/tx/index.js';
import { powConsensus } from '../dist/plugins/consensus-pow/index.js';
import { levelStore } from '../dist/plugins/store-level/index.js';
import { trackerDiscovery } from '../dist/plugins/tracker/index.js';
import { udpTransport } from '../dist/plugins/transport-udp/index.js';
import { EASY_TARGET, waitUntil } from './nodes.mjs';
import { formatRate, percentile } from './table.mjs';

export const title = 'voting: ballot validation and votes committed on 4 nodes over UDP';

const VALIDATE_BALLOTS = Number(process.env.BENCH_VOTING_VALIDATE ?? 3_000);
const VALIDATE_ROUNDS = Number(process.env.BENCH_VOTING_ROUNDS ?? 5);
const NODES = Number(process.env.BENCH_VOTING_NODES ?? 4);
const BURST = Number(process.env.BENCH_VOTING_BURST ?? 10_000);
const PACED_SECONDS = Number(process.env.BENCH_VOTING_PACED_SECONDS ?? 3);
/** Network block interval a fixed target aims at (if every node's miner had a core); 0: EASY_TARGET. */
const BLOCK_SECONDS = Number(process.env.BENCH_VOTING_BLOCK_SECONDS ?? 0);
const CHOICES = ['ada', 'grace', 'linus', 'margaret'];

/** `count` ballots for the `default` election, each from a voter of its own (one ballot per voter). */
function ballots(chainId, count) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const pair = generateKeyPair();
    const unsigned = {
      app: 'voting',
      type: 'ballot.cast',
      payload: { election: 'default', choice: CHOICES[i % CHOICES.length] },
      from: pair.publicKey,
      nonce: 0,
    };
    out.push(signTx(chainId, unsigned, privateKeyFromHex(pair)));
  }
  return out;
}

/**
 * Both measures run on the same fresh ballots (fresh keys: a voter signs one ballot, so the app
 * path imports every key once, as a node does), alternating in chunks of 100 so that both see
 * the same load on a shared machine. Each round reports the ratio of the summed times.
 */
export function validation() {
  const chainId = 'ab'.repeat(32);
  const ratios = [];
  let rawSeconds = 0;
  let importSeconds = 0;
  let appSeconds = 0;
  let count = 0;
  for (let round = 0; round < VALIDATE_ROUNDS; round++) {
    const txs = ballots(chainId, VALIDATE_BALLOTS);
    const wire = txs.map((tx) => JSON.stringify(tx));
    // Raw: bytes, signatures and keys prepared beforehand; only verify() is timed.
    const raw = txs.map((tx) => ({
      bytes: Buffer.from(signingBytes(chainId, tx)),
      sig: Buffer.from(tx.sig, 'hex'),
      key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(tx.from, 'hex').toString('base64url') }, format: 'jwk' }),
    }));
    // The app path: what Mempool.admit does, on a state holding the genesis election.
    const rules = new TxRules([votingApp], chainId);
    const base = new BaseState();
    for (const [k, v] of Object.entries(votingApp.genesis(undefined))) base.setRaw('voting', k, JSON.stringify(v));
    const view = new StateOverlay(base);
    let rawMs = 0;
    let importMs = 0;
    let appMs = 0;
    for (let from = 0; from < txs.length; from += 100) {
      const to = Math.min(from + 100, txs.length);
      let t = performance.now();
      for (let i = from; i < to; i++) if (!verify(null, raw[i].bytes, raw[i].key, raw[i].sig)) throw new Error('raw verify failed');
      rawMs += performance.now() - t;
      // Raw with the key import a node pays for a voter it has never seen (every ballot here).
      t = performance.now();
      for (let i = from; i < to; i++) {
        const key = createPublicKey({
          key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(txs[i].from, 'hex').toString('base64url') },
          format: 'jwk',
        });
        if (!verify(null, raw[i].bytes, key, raw[i].sig)) throw new Error('raw verify failed');
      }
      importMs += performance.now() - t;
      t = performance.now();
      for (let i = from; i < to; i++) {
        const tx = rules.checkEnvelope(JSON.parse(wire[i]));
        rules.apply(view, tx, rules.checkStateless(tx), { height: 1, time: 0 });
      }
      appMs += performance.now() - t;
    }
    ratios.push(rawMs / appMs);
    rawSeconds += rawMs / 1000;
    importSeconds += importMs / 1000;
    appSeconds += appMs / 1000;
    count += txs.length;
  }
  return {
    raw: count / rawSeconds,
    rawImport: count / importSeconds,
    app: count / appSeconds,
    ratio: rawSeconds / appSeconds,
    ratioImport: importSeconds / appSeconds,
    ratios,
  };
}

async function votingNode({ peers, target }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'cairn-bench-voting-'));
  const config = parseNodeConfig({
    dataDir,
    difficulty: 'fixed',
    initialTarget: target,
    mine: 'on-demand',
    miners: 1,
    logLevel: 'silent',
    mempoolLimit: 100_000,
  });
  const params = paramsFromFlags({ difficulty: 'fixed', blockTime: BLOCK_SECONDS || 1, initialTarget: target, apps: ['voting'] });
  const node = CairnNode.create({
    config,
    params,
    apps: [votingApp],
    plugins: [levelStore(), powConsensus(), udpTransport({ host: '127.0.0.1', port: 0 }), trackerDiscovery({ peers })],
    logger: createLogger('silent'),
  });
  await node.start();
  const address = node.resolve(TRANSPORT).address;
  return {
    node,
    address: `${address.host}:${address.port}`,
    async close() {
      await node.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Submits `txs` round-robin to the nodes (through each node's mempool, as its API would),
 * `perTick` at a time, and resolves when every node has every ballot on its best chain.
 * Returns per-ballot latencies (submit → on the best chain of the last node) and the span.
 */
async function commit(nodes, txs, { perTick, tickMs }) {
  const ids = txs.map((tx) => signingBytes(nodes[0].node.chainId, tx));
  const index = new Map();
  const { sha256hex } = await import('../dist/kernel/index.js');
  ids.forEach((bytes, i) => index.set(sha256hex(bytes), i));
  const submitted = new Float64Array(txs.length);
  const counted = nodes.map(() => new Float64Array(txs.length));
  const remaining = nodes.map(() => txs.length);
  const listeners = nodes.map((n, k) => {
    const fn = (e) => {
      const now = performance.now();
      for (const id of e.txIds) {
        const i = index.get(id);
        if (i === undefined) continue;
        if (counted[k][i] === 0) remaining[k]--;
        counted[k][i] = now; // a ballot recounted after a reorg counts from its last block
      }
    };
    n.node.events.on('block', fn);
    return fn;
  });
  const progress = process.env.BENCH_VOTING_DEBUG
    ? setInterval(
        () =>
          console.error(
            'submitted',
            submittedCount,
            'remaining',
            remaining.join(' '),
            'heights',
            nodes.map((n) => n.node.chain.tip().height).join(' '),
            'mempools',
            nodes.map((n) => n.node.mempool.size).join(' '),
            'syncing',
            nodes.map((n) => (n.node.network.sync.active ? 1 : 0)).join(''),
            'stats',
            JSON.stringify(
              nodes.map((n) => {
                const s = n.node.network.stats();
                const u = n.node.resolve(TRANSPORT).stats?.();
                return {
                  u: u && `rl${u.rateLimited} dr${u.dropped} to${u.reassemblyTimeouts} nk${u.nacksSent}/${u.nacksReceived}`,
                  r: s.rejections,
                  b: s.banned.length,
                  p: s.peers.map((p) => `${p.ready ? 'R' : '-'}${p.height}/${p.score}`).join(','),
                };
              }),
            ),
          ),
        2000,
      )
    : undefined;
  let submittedCount = 0;
  const started = performance.now();
  const refused = [];
  for (let i = 0; i < txs.length; i += perTick) {
    const batch = [];
    for (let j = i; j < Math.min(i + perTick, txs.length); j++) {
      submitted[j] = performance.now();
      batch.push(nodes[j % nodes.length].node.mempool.add(txs[j]).catch((err) => refused.push(err.code)));
    }
    await Promise.all(batch);
    submittedCount += batch.length;
    const due = started + ((i + perTick) / perTick) * tickMs;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
  }
  if (refused.length) {
    clearInterval(progress);
    throw new Error(`ballots refused: ${[...new Set(refused)].join(', ')}`);
  }
  await waitUntil(() => remaining.every((r) => r === 0), 300_000).finally(() => clearInterval(progress));
  const span = performance.now() - started;
  nodes.forEach((n, k) => n.node.events.off('block', listeners[k]));
  const latencies = [];
  for (let i = 0; i < txs.length; i++) latencies.push(Math.max(...counted.map((c) => c[i])) - submitted[i]);
  latencies.sort((a, b) => a - b);
  return { rate: txs.length / (span / 1000), p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

const phase = (what) => process.env.BENCH_VOTING_DEBUG && console.error(`phase: ${what} at ${Math.round(performance.now())} ms`);

async function network() {
  // Every node mines. By default at a trivial target, so that blocks come as fast as the nodes
  // can build, gossip and validate them: this measures cairn, not the difficulty setting.
  const target = BLOCK_SECONDS > 0 ? targetForSeconds(BLOCK_SECONDS * NODES) : EASY_TARGET;
  const nodes = [];
  try {
    for (let i = 0; i < NODES; i++) nodes.push(await votingNode({ peers: nodes.map((n) => n.address), target }));
    phase('nodes started');
    await waitUntil(() => nodes.every((n) => n.node.network.book.ready().length === NODES - 1), 30_000);
    phase('nodes connected');
    const chainId = nodes[0].node.chainId;
    const burstTxs = ballots(chainId, BURST);
    const heightBefore = nodes[0].node.chain.tip().height;
    const burst = await commit(nodes, burstTxs, { perTick: 500, tickMs: 0 });
    const burstBlocks = nodes[0].node.chain.tip().height - heightBefore;
    phase('burst counted');
    // Latency at a steady half of the burst rate, in 10 ms ticks.
    const pacedRate = Math.max(100, Math.round(burst.rate / 2));
    const perTick = Math.max(1, Math.round(pacedRate / 100));
    const pacedTxs = ballots(chainId, perTick * 100 * PACED_SECONDS);
    const paced = await commit(nodes, pacedTxs, { perTick, tickMs: 10 });
    phase('paced counted');
    const tallies = nodes.map((n) => JSON.stringify(n.node.chain.query('voting', 'tally', { election: 'default' })));
    const agreed = tallies.every((t) => t === tallies[0]);
    const turnout = nodes[0].node.chain.query('voting', 'tally', { election: 'default' }).turnout;
    if (!agreed || turnout !== burstTxs.length + pacedTxs.length) throw new Error(`nodes disagree or lost ballots (turnout ${turnout})`);
    return { burst, burstBlocks, paced, pacedRate, pacedCount: pacedTxs.length, turnout };
  } finally {
    phase('closing');
    await Promise.all(nodes.map((n, i) => n.close().then(() => phase(`node ${i} closed`))));
  }
}

export async function run() {
  const v = validation();
  const net = await network();
  // In one process every node verifies every ballot once on one thread: the machine's ceiling
  // for votes/s here is the raw verify rate divided by the number of nodes.
  const ceiling = v.raw / NODES;
  return {
    rows: [
      ['raw Ed25519 verify, cached KeyObject (ceiling)', formatRate(v.raw), ''],
      ['ballot validation, mempool path', formatRate(v.app), ''],
      ['validation / raw verify', v.ratio.toFixed(2), '>= 0.8'],
      [`votes committed on ${NODES} nodes, burst of ${BURST}`, `${Math.round(net.burst.rate)} votes/s`, '>= 3000 votes/s'],
      [`votes/s / (raw verify rate / ${NODES} nodes)`, (net.burst.rate / ceiling).toFixed(2), ''],
      ['submit -> counted on all nodes, burst p50 / p99', `${Math.round(net.burst.p50)} / ${Math.round(net.burst.p99)} ms`, ''],
      [`same at a steady ${net.pacedRate} votes/s, p50 / p99`, `${Math.round(net.paced.p50)} / ${Math.round(net.paced.p99)} ms`, ''],
    ],
    notes: [
      `validation / raw verify per round: ${v.ratios.map((r) => r.toFixed(2)).join(', ')} (${VALIDATE_BALLOTS} ballots each, every one from a new key)`,
      `${NODES} in-process nodes share one event loop; each node's miner is a child process; LevelDB in temp dirs`,
      `the burst took ${net.burstBlocks} blocks; all nodes agree on the tally (turnout ${net.turnout})`,
    ],
  };
}
