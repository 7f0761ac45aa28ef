import { TransportError } from './errors.js';
import { fragmentCount, MAX_FRAGMENT_BYTES, MIN_FRAGMENT_BYTES } from './frame.js';

/** Token for the options of one `udpTransport()` plugin value, registered beside the transport in the node's container. */
export const UDP_TRANSPORT_OPTIONS = Symbol('cairn.transport-udp.options');

export interface UdpTransportOptions {
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Port to bind; 0 picks a free one (default 0). */
  port?: number;
  /** Largest message `send` accepts and a receiver reassembles (default 8 MiB). */
  maxMessageBytes?: number;
  /** Payload bytes per datagram (default 60,000; at most 65,489). */
  fragmentBytes?: number;
  /** Datagrams sent per event-loop turn before yielding (default 16). */
  burstDatagrams?: number;
  /** Kernel socket buffer to ask for, both directions (default 4 MiB; Linux caps it at net.core.rmem_max). */
  socketBufferBytes?: number;
  /** A message not completed within this long after its last new fragment is dropped (default 5 s). */
  reassemblyTimeoutMs?: number;
  /** Silence after the last fragment before the receiver asks for missing ones (default 40 ms). */
  nackDelayMs?: number;
  /** How many times a receiver asks for the missing fragments of one message (default 12). */
  maxNackRounds?: number;
  /** How long a sent multi-fragment message is kept to answer NACKs (default 5 s). */
  retainSentMs?: number;
  /** Bound on the bytes kept to answer NACKs; oldest messages go first (default 64 MiB). */
  maxRetainedBytes?: number;
  /** Bound on bytes queued for sending; a message that does not fit is dropped (default 64 MiB). */
  maxQueuedBytes?: number;
  /** Messages one peer may have in reassembly at once; a new one evicts that peer's oldest (default 8). */
  maxReassembliesPerPeer?: number;
  /** Bytes of unfinished messages one peer may hold (default 2 x maxMessageBytes). */
  maxBufferedBytesPerPeer?: number;
  /** Bytes of unfinished messages all peers together may hold; when full, the message begun longest ago gives way (default 64 MiB). */
  maxBufferedBytesTotal?: number;
  /** Inbound datagrams per second accepted from one peer, with a burst of the same size (default 20,000). */
  maxDatagramsPerSecondPerPeer?: number;
  /** Sources tracked at once; when full, the longest-silent one is forgotten (default 4,096). */
  maxPeers?: number;
}

export type UdpOptions = Required<UdpTransportOptions>;

const DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  maxMessageBytes: 8 * 1024 * 1024,
  fragmentBytes: 60_000,
  burstDatagrams: 16,
  socketBufferBytes: 4 * 1024 * 1024,
  reassemblyTimeoutMs: 5_000,
  nackDelayMs: 40,
  maxNackRounds: 12,
  retainSentMs: 5_000,
  maxRetainedBytes: 64 * 1024 * 1024,
  maxQueuedBytes: 64 * 1024 * 1024,
  maxReassembliesPerPeer: 8,
  maxBufferedBytesTotal: 64 * 1024 * 1024,
  maxDatagramsPerSecondPerPeer: 20_000,
  maxPeers: 4_096,
};

/** The options with their defaults, checked: a fragment size or message limit the frame format cannot carry is refused. */
export function resolveOptions(options: UdpTransportOptions): UdpOptions {
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULTS.maxMessageBytes;
  const resolved = {
    ...DEFAULTS,
    maxBufferedBytesPerPeer: 2 * maxMessageBytes,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  } as UdpOptions;
  const frag = resolved.fragmentBytes;
  if (!Number.isInteger(frag) || frag < MIN_FRAGMENT_BYTES || frag > MAX_FRAGMENT_BYTES) {
    throw new TransportError(
      'TRANSPORT_BAD_OPTION',
      `fragmentBytes must be an integer from ${MIN_FRAGMENT_BYTES} to ${MAX_FRAGMENT_BYTES}`,
    );
  }
  if (fragmentCount(maxMessageBytes, frag) > 0xffff || maxMessageBytes > 0xffffffff) {
    throw new TransportError(
      'TRANSPORT_BAD_OPTION',
      `maxMessageBytes ${maxMessageBytes} needs more than 65,535 fragments of ${frag} bytes`,
    );
  }
  return resolved;
}
