/** Token for the options of one `tcpTransport()` plugin value, registered beside the transport in the node's container. */
export const TCP_TRANSPORT_OPTIONS = Symbol('cairn.transport-tcp.options');

export interface TcpTransportOptions {
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Port to listen on; 0 picks a free one (default 0). */
  port?: number;
  /** Largest message `send` accepts and a receiver reads (default 8 MiB). */
  maxMessageBytes?: number;
  /** A peer whose unsent bytes exceed this loses further messages until it drains (default 16 MiB). */
  maxWriteBufferBytes?: number;
  /** An inbound connection that has not said hello within this long is closed (default 5 s). */
  helloTimeoutMs?: number;
  /** Inbound connections at once (default 512). */
  maxConnections?: number;
  /**
   * Bytes of unfinished frames all connections together may hold; when a chunk does not fit, the
   * connection whose unfinished frame began longest ago is closed (default 64 MiB).
   */
  maxBufferedBytes?: number;
  /** A connection whose unfinished frame has waited this long for its rest is closed (default 30 s). */
  frameTimeoutMs?: number;
}

export type TcpOptions = Required<TcpTransportOptions>;

export const DEFAULTS: TcpOptions = {
  host: '127.0.0.1',
  port: 0,
  maxMessageBytes: 8 * 1024 * 1024,
  maxWriteBufferBytes: 16 * 1024 * 1024,
  helloTimeoutMs: 5_000,
  maxConnections: 512,
  maxBufferedBytes: 64 * 1024 * 1024,
  frameTimeoutMs: 30_000,
};

export function resolveOptions(options: TcpTransportOptions): TcpOptions {
  return { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as TcpOptions;
}

export type TcpTransportStats = {
  messagesSent: number;
  messagesDelivered: number;
  /** Messages not sent: transport stopped, bad address, dial failed, or the peer's write buffer full. */
  sendDropped: number;
  /** Connections closed for a bad frame: oversized, unknown type, or data before hello. */
  malformed: number;
  /** Connections closed because their unfinished frame was the oldest when another's chunk did not fit. */
  overBuffered: number;
  /** Connections closed because an unfinished frame waited past `frameTimeoutMs`. */
  frameTimeouts: number;
  bufferedBytes: number;
  connectionsOpened: number;
  connectionsAccepted: number;
  connections: number;
};
