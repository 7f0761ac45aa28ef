// Sync rate of a long chain to a fresh node and block propagation across 8 nodes, on real UDP
// sockets on loopback. The local import rate (the same blocks fed to the chain engine with no
// network) is measured in the same run as the ceiling the network sync is compared with.
import { benchNode, nextBlock, waitUntil } from './nodes.mjs';
import { percentile } from './table.mjs';

export const title = 'network: sync and propagation over UDP on loopback';

const SYNC_BLOCKS = Number(process.env.BENCH_SYNC_BLOCKS ?? 10_000);
const PROP_NODES = Number(process.env.BENCH_PROP_NODES ?? 8);
const PROP_BLOCKS = Number(process.env.BENCH_PROP_BLOCKS ?? 60);

async function syncRate() {
  const source = await benchNode();
  const blocks = [];
  let time = Date.now() - SYNC_BLOCKS * 1000;
  for (let i = 0; i < SYNC_BLOCKS; i++) {
    const block = nextBlock(source.node, [], (time += 1000));
    blocks.push(block);
    await source.node.chain.submitBlock(block);
  }
  // Ceiling: the same blocks imported by a fresh node straight from memory, in sync-sized pages.
  const local = await benchNode({ network: false });
  let started = performance.now();
  for (let i = 0; i < blocks.length; i += 250) await local.node.chain.submitBlocks(blocks.slice(i, i + 250));
  const importRate = SYNC_BLOCKS / ((performance.now() - started) / 1000);
  await local.close();

  started = performance.now();
  const fresh = await benchNode({ peers: [source.address()] });
  await waitUntil(() => fresh.node.chain.tip().height === SYNC_BLOCKS);
  const syncRate = SYNC_BLOCKS / ((performance.now() - started) / 1000);
  await Promise.all([fresh.close(), source.close()]);
  return { importRate, syncRate };
}

async function propagation() {
  const nodes = [];
  for (let i = 0; i < PROP_NODES; i++) nodes.push(await benchNode({ peers: nodes.map((n) => n.address()) }));
  await waitUntil(() => nodes.every((n) => n.node.network.book.ready().length === PROP_NODES - 1), 30_000);
  const delays = [];
  for (let b = 0; b < PROP_BLOCKS; b++) {
    const miner = nodes[b % PROP_NODES].node;
    const block = nextBlock(miner);
    const arrived = new Map();
    const listeners = nodes.map((n, i) => {
      const fn = (e) => e.height === block.header.height && !arrived.has(i) && arrived.set(i, performance.now());
      n.node.events.on('block', fn);
      return fn;
    });
    const sent = performance.now();
    await miner.chain.submitBlock(block);
    await waitUntil(() => arrived.size === PROP_NODES, 10_000);
    nodes.forEach((n, i) => n.node.events.off('block', listeners[i]));
    for (const [i, t] of arrived) if (nodes[i].node !== miner) delays.push(t - sent);
  }
  await Promise.all(nodes.map((n) => n.close()));
  delays.sort((a, b) => a - b);
  return { p50: percentile(delays, 50), p99: percentile(delays, 99), samples: delays.length };
}

export async function run() {
  const sync = await syncRate();
  const prop = await propagation();
  return {
    rows: [
      [`local import of ${SYNC_BLOCKS} blocks (ceiling)`, `${Math.round(sync.importRate)} blocks/s`, ''],
      [`sync of ${SYNC_BLOCKS} blocks to a fresh node`, `${Math.round(sync.syncRate)} blocks/s`, '>= 5000 blocks/s'],
      ['sync / local import', (sync.syncRate / sync.importRate).toFixed(2), ''],
      [`propagation to ${PROP_NODES} nodes, p50`, `${prop.p50.toFixed(1)} ms`, ''],
      [`propagation to ${PROP_NODES} nodes, p99`, `${prop.p99.toFixed(1)} ms`, '< 50 ms'],
    ],
    notes: [
      `all nodes share this one process and its event loop; ${prop.samples} (block, node) arrivals measured`,
      'blocks are empty; the store is LevelDB in temp dirs',
    ],
  };
}
