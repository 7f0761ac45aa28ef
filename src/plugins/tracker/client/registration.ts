import { connect } from 'node:net';
import type { Logger } from 'pino';
import type { PeerAddress } from '../../../kernel/index.js';
import {
  addressKey,
  encodeMessage,
  normalizeHost,
  TRACKER_PROTOCOL_VERSION,
  type RegisteredMessage,
  type RegisterMessage,
  type TransportKind,
} from '../messages.js';

/** Well inside the tracker's default TTL (15 s), whatever TTL the tracker announces. */
const ADVERTISED_HEARTBEAT_MS = 4000;

export function registerMessage(chainId: string, port: number, transport?: TransportKind): RegisterMessage {
  return { type: 'register', version: TRACKER_PROTOCOL_VERSION, chainId, port, ...(transport ? { transport } : {}) };
}

/** The tracker's view of this node's registration: where it lists us and whether it verified that. */
export class OwnRegistration {
  private listedAs: PeerAddress | undefined;
  private reachable = false;

  constructor(private readonly log: Logger) {}

  /** The tracker answered `registered`; returns the address it lists us under. */
  confirmed(message: RegisteredMessage): PeerAddress {
    const seen = { host: normalizeHost(message.host), port: message.port };
    if (!this.listedAs || addressKey(this.listedAs) !== addressKey(seen))
      this.log.info({ listedAs: `${seen.host}:${seen.port}` }, 'tracker lists this node');
    this.listedAs = seen;
    if (message.reachable && !this.reachable) this.log.info('tracker verified this node is reachable');
    this.reachable = message.reachable;
    return seen;
  }

  /** The connection it was made on is gone. */
  lost(): void {
    this.reachable = false;
  }

  status(): { listedAs: PeerAddress | undefined; reachable: boolean } {
    return { listedAs: this.listedAs && { ...this.listedAs }, reachable: this.reachable };
  }
}

/**
 * Registrations of ports other than the node's own (`advertise`): one tracker connection per
 * port, kept alive by heartbeats, whatever the tracker pushes on them read and thrown away.
 */
export class ExtraRegistrations {
  private readonly advertised = new Set<() => void>();

  constructor(
    private readonly tracker: PeerAddress,
    private readonly chainId: string,
  ) {}

  /** Registers each port; returns the function that withdraws them all. */
  advertise(ports: readonly number[]): () => void {
    const sockets = ports.map((port) => this.register(port));
    const heartbeat = setInterval(() => {
      for (const s of sockets) if (!s.destroyed) s.write(encodeMessage({ type: 'heartbeat' }));
    }, ADVERTISED_HEARTBEAT_MS);
    heartbeat.unref();
    const withdraw = () => {
      clearInterval(heartbeat);
      for (const s of sockets) s.destroy();
      this.advertised.delete(withdraw);
    };
    this.advertised.add(withdraw);
    return withdraw;
  }

  withdrawAll(): void {
    for (const withdraw of [...this.advertised]) withdraw();
  }

  private register(port: number) {
    const socket = connect({ host: this.tracker.host, port: this.tracker.port });
    socket.on('error', () => undefined);
    socket.once('connect', () => socket.write(encodeMessage(registerMessage(this.chainId, port))));
    // Read, so the tracker never has to buffer for these connections.
    socket.on('data', () => undefined);
    return socket;
  }
}
