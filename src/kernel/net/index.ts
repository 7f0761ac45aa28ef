// The gossip network: sessions, sync, the address book, and the wire messages they speak.
export { Network, type NetworkStats } from './network.js';
export {
  PROTOCOL_VERSION,
  decodeMessage,
  encodeHandshake,
  encodeSession,
  reframe,
  readFrame,
  type HandshakeMessage,
  type Message,
  type SessionMessage,
} from './messages.js';
export type { EdgeCounters } from './edge-counters.js';
export { DEFAULT_PEER_BOOK, type PeerPolicy } from './peer-book.js';
