import type { Logger } from 'pino';
import { CairnError, StoreError } from '../errors.js';
import type { NodeEvents } from '../events.js';
import { rowOf } from '../verdicts.js';
import { DecodeError } from './messages.js';
import type { PeerBook, PeerState } from './peer-book.js';

/** Codes that only mean "already have it": normal gossip, counted nowhere. */
const DUPLICATES = new Set(['TX_KNOWN', 'TX_ALREADY_IN_CHAIN', 'BLOCK_KNOWN']);

/** Charges peers for what they sent, by the verdict table: the one place a verdict on a peer's input is applied. */
export class PeerJudge {
  readonly rejections: Record<string, number> = {};

  constructor(
    private readonly book: PeerBook,
    private readonly events: NodeEvents,
    private readonly log: Logger,
  ) {}

  /** Counts a rejection and charges the peer the points its code has in the verdict table. */
  blame(peer: PeerState, code: string, message: string): void {
    if (DUPLICATES.has(code)) return;
    const { row } = rowOf(code);
    this.rejections[code] = (this.rejections[code] ?? 0) + 1;
    // Counted per peer even when free (an ignored future block): status shows who sent what.
    peer.rejections[code] = (peer.rejections[code] ?? 0) + 1;
    this.events.emit('rejected', { kind: code.startsWith('TX') ? 'tx' : 'block', code, message, verdict: row.verdict, peer: peer.key });
    this.log.debug({ peer: peer.key, code, verdict: row.verdict, points: row.points }, message);
    if (row.verdict === 'ignore' || row.points === 0) return;
    if (this.book.penalize(peer, code, row.points)) {
      const until = this.book.bans().find((b) => b.peer === peer.key)?.until;
      this.log.warn(
        { peer: peer.key, code, until: until === undefined ? undefined : new Date(until).toISOString() },
        `banned peer ${peer.key}: ${message}`,
      );
    }
  }

  /**
   * The one place a failure of judging a peer's input lands: a coded rejection is charged by
   * its code; our own store failing is ours, not the peer's; anything else means the input
   * was malformed in a way no check foresaw, and costs the sender as such (logged once, at warn).
   */
  judge(peer: PeerState, err: unknown, what: string): void {
    // Our store failing is a verdict on this node, not the sender; the store health said why, once.
    if (err instanceof StoreError) return;
    if (err instanceof CairnError) return this.blame(peer, err.code, err.message);
    if (err instanceof DecodeError) return this.blame(peer, err.code, err.message);
    const reason = err instanceof Error ? err.message : String(err);
    this.log.warn({ peer: peer.key, type: what, err: reason }, 'judging a message threw; rejected as malformed');
    this.blame(peer, 'INPUT_MALFORMED', `${what} could not be judged: ${reason.slice(0, 200)}`);
  }
}
