import type { PeersResponse, StatusResponse } from '../plugins/http-api/index.js';
import { shortHash } from './node-assembly.js';

/** Label/value rows with the values in one column. */
export function alignRows(rows: Array<[string, string]>): string[] {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
}

/** A table with a header row; columns as wide as their widest cell. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** `BLOCK_BAD_POW 3, TX_BAD_SIGNATURE 1`, largest first; `none` when empty. */
export function formatCounters(counters: Record<string, number>): string {
  const entries = Object.entries(counters).filter(([, n]) => n > 0);
  if (entries.length === 0) return 'none';
  return entries
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
}

/** Total work (hex) as a count of expected hashes, with its size in bits when large. */
export function formatWork(hex: string): string {
  const work = BigInt('0x' + (hex.replace(/^0x/, '') || '0'));
  if (work < 1_000_000n) return work.toString();
  return `2^${Math.log2(Number(work)).toFixed(1)} hashes`;
}

export function statusRows(s: StatusResponse): string[] {
  return alignRows([
    ['chain', shortHash(s.chainId)],
    ['height', String(s.height)],
    ['tip', shortHash(s.tip)],
    ['total work', formatWork(s.totalWork)],
    ['peers', String(s.peers)],
    ['mempool', `${s.mempool} transaction${s.mempool === 1 ? '' : 's'}`],
    ['syncing', s.syncing ? 'yes' : 'no'],
    ['mining', s.mining],
    ['store', storeLine(s.store)],
    ['rejections', formatCounters(s.rejections)],
    ['edge', formatCounters(pick(s.edge ?? {}, EDGE_SHOWN))],
    ['transport', formatCounters(pick(s.transport ?? {}, TRANSPORT_SHOWN))],
  ]);
}

/** What the edge refused before any peer was judged: junk, spoofs, floods, guards. */
const EDGE_SHOWN = ['unframed', 'badHandshakes', 'unproven', 'challenges', 'amplificationGuard', 'slotsFull', 'serveBudget'];
/** The transports' junk and loss counters (not their traffic totals or gauges). */
const TRANSPORT_SHOWN = ['malformed', 'rateLimited', 'dropped', 'reassemblyTimeouts', 'sendDropped', 'overBuffered'];

function pick(counters: Record<string, number>, names: readonly string[]): Record<string, number> {
  return Object.fromEntries(names.filter((n) => counters[n]).map((n) => [n, counters[n]!]));
}

/** `writable`, or one line: why the store takes no writes, since when, and what happens next. */
export function storeLine(store: StatusResponse['store'] | undefined, now = Date.now()): string {
  if (!store || store.writable) return 'writable';
  const since = store.since === undefined ? '' : ` for ${formatDuration(now - store.since)}`;
  return `NOT WRITABLE${since} (${store.code}): ${storeConsequence(store)}; ${store.message ?? ''}`.trim();
}

/** What a store that takes no writes means for the node. */
export function storeConsequence(store: { retrying?: boolean }): string {
  return store.retrying
    ? 'mining, sync and new transactions paused, resuming by itself once it can write'
    : 'writes stopped until the node is restarted, reads go on';
}

/** `9m 32s`, `2h 5m`, `12s`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}

export function peersRows(p: PeersResponse, now = Date.now()): string[] {
  const lines: string[] = [];
  if (p.peers.length === 0) lines.push('no peers');
  else
    lines.push(
      ...table(
        ['peer', 'ready', 'height', 'score', 'rejections'],
        p.peers.map((peer) => [
          peer.peer,
          peer.ready ? 'yes' : 'no',
          String(peer.height),
          String(peer.score),
          formatCounters(peer.rejections),
        ]),
      ),
    );
  if (p.banned.length > 0) {
    lines.push('', 'banned');
    lines.push(
      ...table(
        ['peer', 'reason', 'left'],
        p.banned.map((b) => [b.peer, b.reason, formatDuration(b.until - now)]),
      ),
    );
  }
  return lines;
}
