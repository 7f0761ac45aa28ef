/**
 * What the network edge turned away before it became a peer's business, counted so that
 * `cairn node status` shows junk and attacks, not only the judged rejections of peers.
 */
export interface EdgeCounters {
  /** Bytes that are no cairn frame at all. */
  unframed: number;
  /** Handshake frames that did not decode (never charged: the source is unproven). */
  badHandshakes: number;
  /** Session frames from an address without a session, or with the wrong token (spoofed, or a peer that restarted). */
  unproven: number;
  /** Challenges sent to unproven sources. */
  challenges: number;
  /** Answers not sent to an unproven source because they would have been larger than what it sent, or over the rate. */
  amplificationGuard: number;
  /** Proven sources turned away because every slot of their kind was taken. */
  slotsFull: number;
  /** Requests answered short because the peer's serving budget ran out. */
  serveBudget: number;
  /** Tracker reachability probes handed to discovery. */
  probes: number;
}

export function newEdgeCounters(): EdgeCounters {
  return { unframed: 0, badHandshakes: 0, unproven: 0, challenges: 0, amplificationGuard: 0, slotsFull: 0, serveBudget: 0, probes: 0 };
}
