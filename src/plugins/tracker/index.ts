export { formatHostPort, parseHostPort } from './address.js';
export { TrackerClient, type TrackerClientOptions, type TrackerClientStatus } from './client.js';
export { TrackerError } from './errors.js';
export { encodeFrame, FrameDecoder, MAX_FRAME_BYTES, type DecodeResult, type FrameError } from './framing.js';
export {
  decodeMessage,
  DEFAULT_TRACKER_PORT,
  DEFAULT_TTL_MS,
  encodeMessage,
  isValidHost,
  MAX_NETWORK_PEERS,
  TRACKER_PROTOCOL_VERSION,
  type ListedPeer,
  type TrackerMessage,
  type TransportKind,
} from './messages.js';
export { trackerDiscovery, type TrackerDiscoveryOptions } from './plugin.js';
export { TrackerServer, type MembershipChange, type TrackerServerOptions, type TrackerStatus } from './server.js';
export { TransportProber, type ProbeSender, type ProbeTarget, type ProbeTransportFactory, type TransportProberOptions } from './prober.js';
export { DEFAULT_PROBE_SCHEDULE, type ProbeSchedule } from './reachability.js';
