import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CairnNode,
  createLogger,
  encodeHeader,
  generateKeyPair,
  merkleRoot,
  NONCE_OFFSET,
  paramsFromFlags,
  parseNodeConfig,
  privateKeyFromHex,
  sha256hex,
  signTx,
  txId,
  writeU64,
  type Block,
  type BlockHeader,
  type ChainApp,
  type KeyPairHex,
  type NodeConfig,
  type Plugin,
  type Tx,
} from '../../src/kernel/index.js';
import { powConsensus } from '../../src/plugins/consensus-pow/index.js';
import { levelStore } from '../../src/plugins/store-level/index.js';
import { memoryStore } from '../../src/plugins/store-memory/index.js';
import { registryApp } from './registry-app.js';

/** One in 16 hashes meets it: blocks are sealed in microseconds, in process. */
export const EASY_TARGET = '0' + 'f'.repeat(63);

export interface FixtureOptions {
  store?: 'memory' | 'level';
  dataDir?: string;
  apps?: ChainApp[];
  config?: Partial<NodeConfig>;
  plugins?: Plugin[];
  /** The chain parameters' `appParams` (each app's genesis input); part of the chain id. */
  appParams?: Record<string, unknown>;
}

export async function startNode(options: FixtureOptions = {}): Promise<CairnNode> {
  const apps = options.apps ?? [registryApp];
  const config = parseNodeConfig({
    dataDir: options.dataDir ?? '/nonexistent',
    difficulty: 'fixed',
    initialTarget: EASY_TARGET,
    mine: 'off',
    logLevel: 'silent',
    ...options.config,
  });
  const params = paramsFromFlags({
    difficulty: config.difficulty,
    blockTime: config.blockTime,
    initialTarget: config.initialTarget,
    apps: apps.map((a) => a.id),
    appParams: options.appParams,
  });
  const store = options.store === 'level' ? levelStore() : memoryStore();
  const node = CairnNode.create({
    config,
    params,
    apps,
    plugins: [store, powConsensus(), ...(options.plugins ?? [])],
    logger: createLogger('silent'),
  });
  await node.start();
  return node;
}

export function tempDir(prefix = 'cairn-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Seals a header in process by trying nonces: only for the easy targets of tests. */
export function sealInProcess(header: BlockHeader): BlockHeader {
  const buf = encodeHeader(header);
  for (let nonce = 0; ; nonce++) {
    writeU64(buf, nonce, NONCE_OFFSET);
    if (sha256hex(buf) <= header.target) return { ...header, nonce };
  }
}

/** A valid block on `parentHash` (default: the tip) with `txs`; `tweak` may spoil it on purpose. */
export function buildBlock(
  node: CairnNode,
  txs: Tx[],
  opts: { parent?: string; time?: number; tweak?: (h: BlockHeader) => void; seal?: boolean } = {},
): Block {
  const chain = node.reader;
  const parent = chain.entry(opts.parent ?? chain.tip().hash)!;
  const header: BlockHeader = {
    version: 1,
    height: parent.header.height + 1,
    prev: parent.hash,
    txRoot: merkleRoot(txs.map((tx) => txId(node.chainId, tx))),
    time: opts.time ?? Math.max(Date.now(), chain.medianTimePast(parent.hash) + 1),
    target: node.chain.consensus.nextTarget(parent.header, parent.anchor?.header),
    nonce: 0,
  };
  opts.tweak?.(header);
  return { header: opts.seal === false ? header : sealInProcess(header), txs };
}

export class Signer {
  readonly keys: KeyPairHex = generateKeyPair();
  private readonly key = privateKeyFromHex(this.keys);
  private nonce = 0;

  constructor(private readonly chainId: string) {}

  tx(app: string, type: string, payload: unknown, nonce = this.nonce++): Tx {
    return signTx(this.chainId, { app, type, payload, from: this.keys.publicKey, nonce }, this.key);
  }

  claim(name: string): Tx {
    return this.tx('registry', 'claim', { name });
  }
}

/** Extends `node`'s chain (or a branch of it) by `count` blocks; returns their hashes. */
export async function extend(node: CairnNode, count: number, opts: { parent?: string; txs?: Tx[][] } = {}): Promise<string[]> {
  const hashes: string[] = [];
  let parent = opts.parent ?? node.chain.tip().hash;
  for (let i = 0; i < count; i++) {
    const block = buildBlock(node, opts.txs?.[i] ?? [], { parent });
    const outcome = await node.chain.submitBlock(block);
    hashes.push(outcome.hash);
    parent = outcome.hash;
  }
  return hashes;
}
