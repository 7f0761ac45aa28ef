export type UdpTransportStats = {
  datagramsReceived: number;
  datagramsSent: number;
  messagesSent: number;
  messagesDelivered: number;
  /** Datagrams that were not a valid DATA or NACK datagram, or contradicted their message's earlier fragments. */
  malformed: number;
  /** Datagrams refused by the per-peer rate limit. */
  rateLimited: number;
  /** Sources forgotten to make room in the full peer table (the longest-silent first). */
  peersEvicted: number;
  /** Fragments already held, and fragments of messages already delivered. */
  duplicates: number;
  /** Fragments or unfinished messages dropped to keep buffers within their bounds. */
  dropped: number;
  reassemblyTimeouts: number;
  nacksSent: number;
  /** NACK rounds not sent, or sent short, because they would have been larger than what the message brought so far. */
  nacksWithheld: number;
  nacksReceived: number;
  /** NACKs for a message no longer (or never) kept, or whose resend budget is spent. */
  nacksUnanswerable: number;
  retransmitted: number;
  /** Messages not sent: transport stopped, bad address, or send queue full. */
  sendDropped: number;
  sendErrors: number;
  /** Gauges. */
  bufferedBytes: number;
  reassemblies: number;
  peers: number;
  retainedBytes: number;
  queuedDatagrams: number;
  recvBufferBytes: number;
};

type Gauge = 'bufferedBytes' | 'reassemblies' | 'peers' | 'retainedBytes' | 'queuedDatagrams' | 'recvBufferBytes';
export type Counters = Record<Exclude<keyof UdpTransportStats, Gauge>, number>;

export function newCounters(): Counters {
  return {
    datagramsReceived: 0,
    datagramsSent: 0,
    messagesSent: 0,
    messagesDelivered: 0,
    malformed: 0,
    rateLimited: 0,
    peersEvicted: 0,
    duplicates: 0,
    dropped: 0,
    reassemblyTimeouts: 0,
    nacksSent: 0,
    nacksWithheld: 0,
    nacksReceived: 0,
    nacksUnanswerable: 0,
    retransmitted: 0,
    sendDropped: 0,
    sendErrors: 0,
  };
}
