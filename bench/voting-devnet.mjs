// The voting app on the devnet the issue names: 4 `cairn node start` processes (the Devnet class
// of `cairn devnet`, ASERT blocks, UDP on loopback), ballots submitted through each node's HTTP
// API with keep-alive and several requests in flight per node, in batches (POST /txs) or one by
// one (POST /tx). Measures votes/s counted on every node, submit -> counted-on-all-nodes latency,
// and the machine's ceiling in the same run: each node verifies each ballot once, so the nodes
// together can count at most (verifies/s per core x cores / nodes) ballots per second.
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Devnet } from '../dist/cli/devnet/devnet.js';
import { generateKeyPair, privateKeyFromHex, signTx, txId } from '../dist/kernel/index.js';
import { percentile } from './table.mjs';
import { validation } from './voting.mjs';

export const title = 'voting on a 4-process devnet: ballots through the node API, counted on every node';

const NODES = Number(process.env.BENCH_DEVNET_NODES ?? 4);
const BURST = Number(process.env.BENCH_DEVNET_BURST ?? 20_000);
const BATCH = Number(process.env.BENCH_DEVNET_BATCH ?? 250);
const IN_FLIGHT = Number(process.env.BENCH_DEVNET_IN_FLIGHT ?? 2);
const PACED_SECONDS = Number(process.env.BENCH_DEVNET_PACED_SECONDS ?? 5);
const BLOCK_SECONDS = Number(process.env.BENCH_DEVNET_BLOCK_SECONDS ?? 1);
/** A directory for CPU profiles of the node processes (bench/cpu-profile.mjs); unset: no profiling. */
const PROFILE_DIR = process.env.BENCH_DEVNET_PROFILE;
const DEBUG = Boolean(process.env.BENCH_DEVNET_DEBUG);
const CHOICES = ['ada', 'grace', 'linus', 'margaret'];

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
 * Sends `txs` to the nodes round-robin by chunk, `IN_FLIGHT` requests per node at once, no
 * faster than `rate` ballots/s when given; resolves when every node has counted every ballot.
 */
async function commit(devnet, clients, txs, { rate, batch }) {
  const chainId = devnet.chainId;
  const index = new Map(txs.map((tx, i) => [txId(chainId, tx), i]));
  const submitted = new Float64Array(txs.length);
  const counted = devnet.nodes.map(() => new Float64Array(txs.length));
  const remaining = devnet.nodes.map(() => txs.length);
  const blocks = [];
  let done;
  const allCounted = new Promise((resolve) => (done = resolve));
  const onEvent = ({ index: k, event }) => {
    if (event.event !== 'block' || !Array.isArray(event.txIds)) return;
    const now = performance.now();
    if (k === 0) blocks.push({ at: now, txs: event.txIds.length, height: event.height });
    for (const id of event.txIds) {
      const i = index.get(id);
      if (i === undefined) continue;
      if (counted[k][i] === 0) remaining[k]--;
      counted[k][i] = now; // a ballot recounted after a reorg counts from its last block
    }
    if (remaining.every((r) => r === 0)) done();
  };
  devnet.on('node-event', onEvent);
  const chunks = [];
  for (let i = 0; i < txs.length; i += batch) chunks.push([i, Math.min(i + batch, txs.length)]);
  const started = performance.now();
  const refused = [];
  // Chunk c goes to node c % nodes; each node's chunks are sent in order by its workers.
  const queues = clients.map((_, node) => chunks.filter((_, c) => c % clients.length === node));
  const worker = async (node) => {
    for (let chunk = queues[node].shift(); chunk; chunk = queues[node].shift()) {
      const [from, to] = chunk;
      if (rate) {
        const due = started + (from / rate) * 1000;
        if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
      }
      const now = performance.now();
      for (let i = from; i < to; i++) submitted[i] = now;
      if (batch === 1) {
        await clients[node].submitTx(txs[from]).catch((err) => refused.push(err.code));
      } else {
        const { results } = await clients[node].submitTxs(txs.slice(from, to));
        for (const r of results) if (r.error) refused.push(r.error.code);
      }
    }
  };
  const workers = [];
  for (let node = 0; node < clients.length; node++) for (let w = 0; w < IN_FLIGHT; w++) workers.push(worker(node));
  await Promise.all(workers);
  const submitSeconds = (performance.now() - started) / 1000;
  if (refused.length) throw new Error(`ballots refused: ${[...new Set(refused)].join(', ')}`);
  const progress = DEBUG
    ? setInterval(
        () =>
          console.error(
            'remaining',
            remaining.join(' '),
            'node 0 blocks',
            JSON.stringify(blocks.slice(-6).map((b) => [b.height, b.txs, Math.round(b.at - started)])),
          ),
        2000,
      )
    : undefined;
  const timeout = setTimeout(() => done(new Error(`not counted everywhere within 120 s: remaining ${remaining.join(' ')}`)), 120_000);
  const failure = await allCounted;
  clearTimeout(timeout);
  clearInterval(progress);
  devnet.off('node-event', onEvent);
  if (failure) throw failure;
  const span = (Math.max(...counted.map((c) => Math.max(...c))) - started) / 1000;
  const latencies = [];
  for (let i = 0; i < txs.length; i++) latencies.push(Math.max(...counted.map((c) => c[i])) - submitted[i]);
  latencies.sort((a, b) => a - b);
  return {
    rate: txs.length / span,
    submitRate: txs.length / submitSeconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

export async function run() {
  const v = validation();
  const cores = availableParallelism();
  const ceiling = (v.rawImport * cores) / NODES;
  let env;
  if (PROFILE_DIR) {
    mkdirSync(PROFILE_DIR, { recursive: true });
    const preload = fileURLToPath(new URL('./cpu-profile.mjs', import.meta.url));
    env = {
      ...process.env,
      CAIRN_CPU_PROFILE_DIR: PROFILE_DIR,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${pathToFileURL(preload).href}`.trim(),
    };
  }
  const devnet = new Devnet({ nodes: NODES, blockTime: BLOCK_SECONDS, logLevel: 'warn', env });
  const rows = [];
  const notes = [];
  try {
    await devnet.start();
    await devnet.waitUntilConnected(30_000);
    const clients = devnet.nodes.map((n) => devnet.client(n.index, { timeoutMs: 60_000 }));
    const burstTxs = ballots(devnet.chainId, BURST);
    const burst = await commit(devnet, clients, burstTxs, { batch: BATCH });
    const pacedRate = Math.max(100, Math.round((burst.rate * 0.6) / 100) * 100);
    const pacedTxs = ballots(devnet.chainId, pacedRate * PACED_SECONDS);
    const paced = await commit(devnet, clients, pacedTxs, { batch: Math.max(1, Math.round(pacedRate / 100 / NODES)), rate: pacedRate });
    const tallies = await Promise.all(clients.map((c) => c.query('voting', 'tally', { election: 'default' })));
    const agreed = tallies.every((t) => JSON.stringify(t) === JSON.stringify(tallies[0]));
    const turnout = tallies[0].result?.turnout ?? tallies[0].turnout;
    if (!agreed || turnout !== burstTxs.length + pacedTxs.length) throw new Error(`nodes disagree or lost ballots (turnout ${turnout})`);
    const status = await clients[0].status();
    rows.push(
      ['raw Ed25519 verify, cached KeyObject, 1 core', `${Math.round(v.raw)}/s`, ''],
      ['raw key import + verify (a new voter), 1 core', `${Math.round(v.rawImport)}/s`, ''],
      ['ballot validation, mempool path, 1 core', `${Math.round(v.app)}/s`, ''],
      ['validation / raw verify (cached key)', v.ratio.toFixed(2), '>= 0.8'],
      ['validation / raw import + verify', v.ratioImport.toFixed(2), ''],
      [`ceiling: import+verify/s x ${cores} cores / ${NODES} nodes`, `${Math.round(ceiling)} votes/s`, ''],
      [
        `votes counted on all ${NODES} nodes, burst of ${BURST} (batches of ${BATCH})`,
        `${Math.round(burst.rate)} votes/s`,
        '>= 3000 votes/s',
      ],
      ['  / ceiling', (burst.rate / ceiling).toFixed(2), ''],
      ['submit -> counted on all nodes, burst p50 / p99', `${Math.round(burst.p50)} / ${Math.round(burst.p99)} ms`, ''],
      [`same at a steady ${pacedRate} votes/s, p50 / p99`, `${Math.round(paced.p50)} / ${Math.round(paced.p99)} ms`, ''],
    );
    notes.push(
      `${NODES} node processes (cairn devnet, ASERT ${BLOCK_SECONDS} s blocks, UDP loopback, LevelDB), ${IN_FLIGHT} requests in flight per node; the burst was accepted at ${Math.round(burst.submitRate)} ballots/s`,
      `at the end: height ${status.height}, all nodes agree on the tally (turnout ${turnout}); ${cores} cores, shared with the bench client`,
    );
  } finally {
    await devnet.stop();
  }
  return { rows, notes };
}
