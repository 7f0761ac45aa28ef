import { CairnError } from '../../kernel/errors.js';
import { findFault, parseFaultSpec } from '../../plugins/faults/index.js';
import type { ApiClient } from '../../plugins/http-api/index.js';

/** What the malicious nodes' faults let an honest node see, from the faults registry. */
export interface FaultExpectation {
  /** `NAME[=ARG]` as given. */
  faults: string[];
  /** Rejection codes an honest node counts for these faults; empty when none is a rejection. */
  codes: string[];
  /** Some fault is one an honest node counts as a rejection: the demo must see it. */
  detectable: boolean;
}

export function expectFaults(faults: readonly string[]): FaultExpectation {
  const codes = new Set<string>();
  for (const text of faults) {
    const spec = parseFaultSpec(text);
    const behaviour = findFault(spec.name);
    if (!behaviour) throw new CairnError('FAULT_UNKNOWN', `unknown fault '${spec.name}' (cairn faults list shows them all)`);
    for (const code of behaviour.codes) codes.add(code);
  }
  return { faults: [...faults], codes: [...codes].sort(), detectable: codes.size > 0 };
}

/** One honest node's view of the malicious nodes. */
export interface HonestView {
  index: number;
  /** Rejections it counted against a malicious node's address, by code (connected or banned). */
  fromMalicious: Record<string, number>;
  /** Malicious addresses it keeps banned, with the code that tipped the score. */
  banned: Array<{ peer: string; reason: string }>;
  /** Every rejection it counted, from anyone, by code. */
  rejections: Record<string, number>;
  error?: { code: string; message: string };
}

export interface Detection extends FaultExpectation {
  /**
   * An honest node counted a rejection against a malicious node or banned it, or (for faults
   * that reach it through honest relays, so cannot be pinned on the sender) counted one of the
   * faults' codes at all. Null when nothing about the faults is a rejection.
   */
  detected: boolean | null;
  /** One sentence: how, or why not. */
  how: string;
  nodes: HonestView[];
}

/** Asks every honest node what it counted against whom. */
export async function observe(
  honest: ReadonlyArray<{ index: number; api: ApiClient }>,
  malicious: readonly string[],
): Promise<HonestView[]> {
  const bad = new Set(malicious);
  return Promise.all(
    honest.map(async ({ index, api }): Promise<HonestView> => {
      try {
        const [status, peers] = await Promise.all([api.status(), api.peers()]);
        const fromMalicious: Record<string, number> = {};
        const add = (counts: Record<string, number> | undefined) => {
          for (const [code, n] of Object.entries(counts ?? {})) fromMalicious[code] = (fromMalicious[code] ?? 0) + n;
        };
        for (const p of peers.peers) if (bad.has(p.peer)) add(p.rejections);
        for (const b of peers.banned) if (bad.has(b.peer)) add(b.rejections);
        const banned = peers.banned.filter((b) => bad.has(b.peer)).map((b) => ({ peer: b.peer, reason: b.reason }));
        return { index, fromMalicious, banned, rejections: status.rejections };
      } catch (err) {
        const e = err as Partial<CairnError>;
        return {
          index,
          fromMalicious: {},
          banned: [],
          rejections: {},
          error: { code: e.code ?? 'INTERNAL', message: e.message ?? String(err) },
        };
      }
    }),
  );
}

/**
 * Detected: an honest node banned a malicious node, or counted against it one of the codes its
 * faults cause; failing that, counted one of those codes at all (a fault that reaches it
 * through honest relays can't be pinned on its sender). Counts of other codes against the
 * malicious node (BLOCK_KNOWN for the honest blocks it relays) prove nothing and are only shown.
 */
export function judge(expectation: FaultExpectation, nodes: HonestView[]): Detection {
  const base = { ...expectation, nodes };
  const wanted = new Set(expectation.codes);
  const pinned = nodes
    .map((n) => {
      const codes = Object.entries(n.fromMalicious)
        .filter(([code]) => wanted.has(code))
        .map(([code, count]) => `${code} ×${count}`);
      const bans = n.banned.map((b) => `banned ${b.peer} (${b.reason})`);
      return codes.length || bans.length ? `node ${n.index}: ${[...codes, ...bans].join(', ')}` : undefined;
    })
    .filter((part): part is string => part !== undefined);
  if (pinned.length > 0) return { ...base, detected: true, how: `counted against the malicious node by ${pinned.join('; ')}` };
  const relayed = nodes
    .map((n) => {
      const codes = expectation.codes.filter((c) => (n.rejections[c] ?? 0) > 0).map((c) => `${c} ×${n.rejections[c]}`);
      return codes.length ? `node ${n.index}: ${codes.join(', ')}` : undefined;
    })
    .filter((part): part is string => part !== undefined);
  if (relayed.length > 0)
    return { ...base, detected: true, how: `counted through honest relays (not pinned on the sender) by ${relayed.join('; ')}` };
  if (!expectation.detectable)
    return { ...base, detected: null, how: 'nothing these faults do is a rejection: honest nodes cope without blaming anyone' };
  return { ...base, detected: false, how: `no honest node counted ${expectation.codes.join(' or ')} or banned the malicious node` };
}
