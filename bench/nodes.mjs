// In-process nodes for network benchmarks, built from the compiled kernel and plugins.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CairnNode,
  createLogger,
  encodeHeader,
  merkleRoot,
  NONCE_OFFSET,
  paramsFromFlags,
  parseNodeConfig,
  sha256hex,
  txId,
  writeU64,
} from '../dist/kernel/index.js';
import { powConsensus } from '../dist/plugins/consensus-pow/index.js';
import { levelStore } from '../dist/plugins/store-level/index.js';
import { trackerDiscovery } from '../dist/plugins/tracker/index.js';
import { udpTransport } from '../dist/plugins/transport-udp/index.js';

export const EASY_TARGET = '0' + 'f'.repeat(63);

/** A node on LevelDB in a temp dir, with a UDP transport on loopback when `peers` is given. */
export async function benchNode({ peers, network = true, apps = [] } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'cairn-bench-'));
  const config = parseNodeConfig({ dataDir, difficulty: 'fixed', initialTarget: EASY_TARGET, mine: 'off', logLevel: 'silent' });
  const params = paramsFromFlags({ difficulty: 'fixed', blockTime: 10, initialTarget: EASY_TARGET, apps: apps.map((a) => a.id) });
  const plugins = [levelStore(), powConsensus()];
  if (network) plugins.push(udpTransport({ host: '127.0.0.1', port: 0 }), trackerDiscovery({ peers: peers ?? [] }));
  const node = CairnNode.create({ config, params, apps, plugins, logger: createLogger('silent') });
  await node.start();
  return {
    node,
    address: () =>
      network
        ? `${node.network && node.resolve(Symbol.for('cairn.transport')).address.host}:${node.resolve(Symbol.for('cairn.transport')).address.port}`
        : '',
    async close() {
      await node.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The next block on `node`'s tip, sealed in process (the target is easy). */
export function nextBlock(node, txs = [], time) {
  const tip = node.reader.entry(node.reader.tip().hash);
  const header = {
    version: 1,
    height: tip.header.height + 1,
    prev: tip.hash,
    txRoot: merkleRoot(txs.map((tx) => txId(node.chainId, tx))),
    time: time ?? Math.max(Date.now(), node.reader.medianTimePast() + 1),
    target: node.chain.consensus.nextTarget(tip.header, tip.anchor?.header),
    nonce: 0,
  };
  const buf = encodeHeader(header);
  for (let nonce = 0; ; nonce++) {
    writeU64(buf, nonce, NONCE_OFFSET);
    if (sha256hex(buf) <= header.target) return { header: { ...header, nonce }, txs };
  }
}

export async function waitUntil(condition, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
