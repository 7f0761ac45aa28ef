import { readFileSync } from 'node:fs';
import path from 'node:path';
import { encodeHeader, headerHash, merkleRoot, NONCE_OFFSET, writeU64, type Block, type BlockHeader } from '../../src/kernel/block.js';
import { sha256hex } from '../../src/kernel/hash.js';
import { txId, type Tx } from '../../src/kernel/tx/tx.js';
import { Signer } from './chain-fixture.js';
import { PROC_TARGET, type ProcNode } from './devnet-procs.js';
import { waitFor } from './wait.js';

/**
 * What attack tests share: building blocks a node process will accept (or almost), payloads
 * nested deep as text (never as objects: this process's own JSON.stringify would overflow on
 * them), a node's memory and log lines, and its judgement of a peer as its API shows it.
 */

/** `n` arrays nested in one another, as JSON text: 2n bytes. */
export const deepArrays = (n: number): string => '['.repeat(n) + ']'.repeat(n);
/** `n` objects nested in one another, as JSON text: 5n bytes. */
export const deepObjects = (n: number): string => '{"":'.repeat(n) + '0' + '}'.repeat(n);

/** A transaction envelope around a payload given as JSON text; its signature is well-formed and wrong. */
export function txText(payloadJson: string, nonce = 0): string {
  return `{"app":"notes","type":"note","payload":${payloadJson},"from":"${'a'.repeat(64)}","nonce":${nonce},"sig":"${'b'.repeat(128)}"}`;
}

/** Tries nonces until the header meets its target (the test chain's target is one hash in 16). */
export function seal(header: BlockHeader): BlockHeader {
  const buf = encodeHeader(header);
  for (let nonce = 0; ; nonce++) {
    writeU64(buf, nonce, NONCE_OFFSET);
    if (sha256hex(buf) <= header.target) return { ...header, nonce };
  }
}

/** A header on `parent` whose body has these transaction ids, sealed at the test chain's target (or `target`). */
export function headerOn(
  parent: { hash: string; height: number; time: number },
  ids: readonly string[],
  opts: { target?: string; time?: number } = {},
): BlockHeader {
  return seal({
    version: 1,
    height: parent.height + 1,
    prev: parent.hash,
    txRoot: merkleRoot(ids),
    time: opts.time ?? Math.max(Date.now(), parent.time + 1),
    target: opts.target ?? PROC_TARGET,
    nonce: 0,
  });
}

/** A valid block on `parent` carrying `txs` (signed for `chainId`). */
export function blockOn(
  chainId: string,
  parent: { hash: string; height: number; time: number },
  txs: Tx[],
  opts: { target?: string } = {},
) {
  const header = headerOn(
    parent,
    txs.map((tx) => txId(chainId, tx)),
    opts,
  );
  const block: Block = { header, txs };
  return { block, hash: headerHash(header), height: header.height, time: header.time };
}

export { headerHash };

/** The node's genesis (its chain id is the genesis hash) with the time and target its header has. */
export async function genesisOf(node: ProcNode): Promise<{ hash: string; height: number; time: number; target: string }> {
  const b = await node.api.block(node.chainId);
  return { hash: node.chainId, height: 0, time: b.header.time, target: b.header.target };
}

/** Resident memory of a process, in MiB, from /proc. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

export interface LogLine {
  level: number;
  msg?: string;
  raw: string;
}

/** The node's structured log lines on stderr (pino JSON); anything else (a printed stack trace) is kept as level 60. */
export function logLines(node: ProcNode): LogLine[] {
  return node.proc.stderr
    .split('\n')
    .filter((l) => l.trim())
    .map((raw) => {
      try {
        const line = JSON.parse(raw) as { level?: number; msg?: string };
        return { level: line.level ?? 30, msg: line.msg, raw };
      } catch {
        return { level: 60, raw };
      }
    });
}

/** Warnings and worse, and among them errors (level >= 50) or anything carrying a stack trace. */
export function loudLines(node: ProcNode, from = 0): { warns: LogLine[]; errors: LogLine[] } {
  const lines = logLines(node).slice(from);
  const warns = lines.filter((l) => l.level >= 40);
  const errors = warns.filter((l) => l.level >= 50 || /"stack"|\n\s+at |\bat .+:\d+:\d+/.test(l.raw));
  return { warns, errors };
}

/** What the node's API says of a peer: its live record, or its ban with the rejections it was counted for. */
export async function judgementOf(node: ProcNode, key: string) {
  const { peers, banned } = await node.api.peers();
  const live = peers.find((p) => p.peer === key);
  const ban = banned.find((b) => b.peer === key);
  const rejections = { ...(ban?.rejections ?? {}), ...(live?.rejections ?? {}) };
  return {
    live,
    ban,
    rejections,
    /** Every rejection counted for this peer, by any code. */
    charged: Object.values(rejections).reduce((a, b) => a + b, 0),
  };
}

/** Waits until the node has charged `key` at least `count` rejections; returns its judgement. */
export async function chargedAtLeast(node: ProcNode, key: string, count: number, timeoutMs = 5000) {
  let last: Awaited<ReturnType<typeof judgementOf>> | undefined;
  try {
    await waitFor(
      `${key} to be charged ${count} rejections`,
      async () => (last = await judgementOf(node, key)).charged >= count,
      timeoutMs,
      50,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last seen: ${JSON.stringify(last?.rejections ?? {})}`, { cause: err });
  }
  return last!;
}

/** The URL and write token a node wrote into its data dir, for requests whose bodies this process must not build as objects. */
export function apiOf(node: ProcNode): { url: string; token: string } {
  return {
    url: readFileSync(path.join(node.dir, 'api.url'), 'utf8').trim(),
    token: readFileSync(path.join(node.dir, 'api.cookie'), 'utf8').trim(),
  };
}

/** POSTs a raw JSON text body; resolves with the status and the parsed answer (never throws on an HTTP error). */
export async function postRaw(node: ProcNode, route: string, body: string): Promise<{ status: number; body: unknown }> {
  const { url, token } = apiOf(node);
  const res = await fetch(url + route, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // kept as text
  }
  return { status: res.status, body: parsed };
}

/** A HOST:PORT string as an address. */
export function addressOf(hostPort: string): { host: string; port: number } {
  const i = hostPort.lastIndexOf(':');
  return { host: hostPort.slice(0, i), port: Number(hostPort.slice(i + 1)) };
}

/**
 * Has `miner` (mining on demand, waiting for its mempool to fill) mine one block of 3,000 notes,
 * about 1 MB: larger than one datagram and than what each attacker source holds. Resolves with
 * the miner's tip once its mempool is empty.
 */
export async function mineLargeBlock(miner: ProcNode): Promise<{ tip: string; height: number }> {
  const alice = new Signer(miner.chainId);
  for (let b = 0; b < 3; b++)
    await miner.api.submitTxs(Array.from({ length: 1000 }, (_, i) => alice.tx('notes', 'note', { text: `a large block ${b}/${i}` })));
  await waitFor('the miner to mine them', async () => (await miner.api.status()).mempool === 0, 30_000, 100);
  const { tip, height } = await miner.api.status();
  return { tip, height };
}
