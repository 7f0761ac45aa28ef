import { CairnError } from '../../kernel/index.js';
import { parseFaultSpec } from '../../plugins/faults/index.js';
import type { ApiClient } from '../../plugins/http-api/index.js';
import { findKnownFault } from '../known-faults.js';

/** What the malicious nodes' faults let an honest node see, from the known faults (the plugin's and the built-in apps'). */
export interface FaultExpectation {
  /** `NAME[=ARG]` as given. */
  faults: string[];
  /** Rejection codes an honest node counts for these faults; empty when none is a rejection. */
  codes: string[];
  /** Some fault is one an honest node counts as a rejection: the demo must see it. */
  detectable: boolean;
  /**
   * Every honest node must count it: each such fault acts on every peer. Not so for a link
   * condition (corrupt=P), which hits random messages, so a node may get none before the
   * faulty node cuts itself off: one node counting it is enough there.
   */
  everyNode: boolean;
}

export function expectFaults(faults: readonly string[]): FaultExpectation {
  const codes = new Set<string>();
  let everyNode = true;
  for (const text of faults) {
    const spec = parseFaultSpec(text);
    const behaviour = findKnownFault(spec.name);
    if (!behaviour) throw new CairnError('FAULT_UNKNOWN', `unknown fault '${spec.name}' (cairn faults list shows them all)`);
    for (const code of behaviour.codes) codes.add(code);
    if (behaviour.codes.length > 0 && behaviour.group === 'network') everyNode = false;
  }
  return { faults: [...faults], codes: [...codes].sort(), detectable: codes.size > 0, everyNode };
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
   * Every honest node (one at least, when `everyNode` is false) counted one of the faults' own
   * codes: against a malicious node, or (for faults that reach it through honest relays, so
   * cannot be pinned on the sender) at all. Null when nothing about the faults is a rejection.
   */
  detected: boolean | null;
  /** One sentence: how, node by node. */
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
 * Detected: every honest node (or one, see `everyNode`) counted one of the codes its faults
 * cause, against a malicious node or, failing that, at all (a fault that reaches it through
 * honest relays can't be pinned on its sender). A ban is evidence only through the code it was
 * for, which its counts keep: a ban for another reason, or counts of other codes against the
 * malicious node (BLOCK_KNOWN for the honest blocks it relays), prove nothing and are only shown.
 */
export function judge(expectation: FaultExpectation, nodes: HonestView[]): Detection {
  const base = { ...expectation, nodes };
  if (!expectation.detectable)
    return { ...base, detected: null, how: 'nothing these faults do is a rejection: honest nodes cope without blaming anyone' };
  const counted = (counts: Record<string, number>) =>
    expectation.codes.filter((c) => (counts[c] ?? 0) > 0).map((c) => `${c} ×${counts[c]}`);
  const views = nodes.map((n) => {
    const pinned = counted(n.fromMalicious);
    const relayed = counted(n.rejections);
    const bans = n.banned.map((b) => `banned ${b.peer} (${b.reason})`);
    if (pinned.length) return { seen: true, text: `node ${n.index}: ${[...pinned, ...bans].join(', ')} against the malicious node` };
    if (relayed.length)
      return { seen: true, text: `node ${n.index}: ${relayed.join(', ')} through honest relays (not pinned on the sender)` };
    return { seen: false, text: `node ${n.index}: ${n.error ? `not answering (${n.error.code})` : ['none of them', ...bans].join(', ')}` };
  });
  const text = views.map((v) => v.text).join('; ');
  const seen = views.filter((v) => v.seen).length;
  const enough = expectation.everyNode ? seen === views.length && seen > 0 : seen > 0;
  if (enough) return { ...base, detected: true, how: `${expectation.everyNode ? 'every' : 'an'} honest node counted it: ${text}` };
  const who = expectation.everyNode ? 'not every honest node' : 'no honest node';
  return { ...base, detected: false, how: `${who} counted ${expectation.codes.join(' or ')}: ${text}` };
}
