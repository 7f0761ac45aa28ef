import type { EdgeCounters } from './edge-counters.js';

/** What `cairn node status` shows of the network: peers, bans, refusals by code, the edge's and the transport's counters. */
export interface NetworkStats {
  peers: Array<{
    peer: string;
    ready: boolean;
    origin: 'outbound' | 'inbound';
    height: number;
    score: number;
    rejections: Record<string, number>;
  }>;
  /** Banned peers, with what each was counted for before the ban (its record is gone). */
  banned: Array<{ peer: string; until: number; reason: string; rejections: Record<string, number> }>;
  rejections: Record<string, number>;
  /** What the edge turned away before it was any peer's business. */
  edge: EdgeCounters;
  addresses: { discovery: number; exchange: number };
  /** The transport's own counters (datagrams malformed, rate-limited, dropped...). */
  transport: Readonly<Record<string, number>>;
  syncing: boolean;
}
