import type { Socket } from 'node:net';
import { pino, type Logger } from 'pino';
import type { Discovery, PeerAddress } from '../../kernel/index.js';
import { normalizeHost, type ClientMessage, type PeersMessage, type ServerMessage } from './messages.js';
import { checkClientOptions, type TrackerClientOptions, type TrackerClientStatus } from './client/options.js';
import { PeerLists } from './client/peer-lists.js';
import { ProbeEchoes } from './client/probe-echoes.js';
import { ExtraRegistrations, OwnRegistration, registerMessage } from './client/registration.js';
import { bindHostFor, TrackerLink, type Refusal } from './client/tracker-link.js';

export type { TrackerClientOptions, TrackerClientStatus } from './client/options.js';

/**
 * Discovery through a tracker, with static peers and peer exchange on the side. The tracker
 * is a convenience, not a single point of failure: while it is away the last list it sent
 * stays in `peers()`, the client keeps reconnecting with capped, jittered backoff, and
 * registers again as soon as it is back.
 *
 * This class composes the rooms in ./client: the tracker link (connection, framing,
 * heartbeats, backoff), the registration, the peer lists and the probe echoes.
 */
export class TrackerClient implements Discovery {
  private readonly log: Logger;
  private readonly lists: PeerLists;
  private readonly echoes: ProbeEchoes;
  private readonly own: OwnRegistration;
  private readonly extra: ExtraRegistrations | undefined;
  private readonly link: TrackerLink | undefined;
  private self: PeerAddress | undefined;
  private state: 'new' | 'running' | 'stopped' = 'new';
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: TrackerClientOptions) {
    const ttlMs = checkClientOptions(options);
    this.log = options.logger ?? pino({ level: 'silent' });
    this.lists = new PeerLists(options.peers ?? [], options.maxExchangePeers ?? 1000, this.log);
    this.echoes = new ProbeEchoes(options.probeWindowMs ?? 30_000, options.maxEchoes ?? 8);
    this.own = new OwnRegistration(this.log);
    const tracker = options.tracker;
    if (!tracker) return;
    this.extra = new ExtraRegistrations(tracker, options.chainId);
    const settings = {
      tracker,
      ttlMs,
      initialBackoffMs: options.backoff?.initialMs ?? 100,
      maxBackoffMs: options.backoff?.maxMs ?? 5000,
      maxFrameBytes: options.maxFrameBytes,
      random: options.random ?? Math.random,
    };
    this.link = new TrackerLink(
      settings,
      {
        opened: (socket) => this.register(socket),
        message: (message) => this.handle(message),
        closed: () => this.unregistered(),
      },
      this.log,
    );
  }

  start(): void {
    if (this.state !== 'new') return;
    this.state = 'running';
    const local = typeof this.options.localAddress === 'function' ? this.options.localAddress() : this.options.localAddress;
    this.self = { host: normalizeHost(local.host), port: local.port };
    this.lists.addSelf(this.self);
    this.lists.emitIfChanged();
    this.link?.start(bindHostFor(this.self));
  }

  /** Says goodbye to the tracker (so others learn at once) and closes. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /** Static peers, then the tracker's last list, then exchanged peers; never this node itself. */
  peers(): PeerAddress[] {
    return this.lists.peers();
  }

  onChange(handler: (peers: PeerAddress[]) => void): void {
    this.lists.onChange(handler);
  }

  /**
   * Peers learned from other nodes (peer exchange). The input is untrusted: only the first
   * `maxExchangePeers` entries are looked at, and only well-formed reachable addresses kept.
   * Returns how many were not known before.
   */
  addPeers(list: readonly unknown[]): number {
    if (this.state === 'stopped') return 0;
    return this.lists.addExchanged(list);
  }

  /**
   * One tracker connection per port, each registering that port for this chain and kept alive
   * by heartbeats; whatever the tracker pushes on them is read and thrown away. The tracker
   * lists them under this host and never verifies a port nobody answers at, so they are listed
   * unreachable. Without a tracker there is nowhere to register.
   */
  advertise(ports: readonly number[]): () => void {
    if (!this.extra || this.state === 'stopped') return () => undefined;
    return this.extra.advertise(ports);
  }

  /**
   * A reachability probe reached our transport. Echoed over the tracker connection only when it
   * can be the tracker's own (see `ProbeEchoes`); anything else is dropped.
   */
  probed(token: string, from: PeerAddress): void {
    if (this.echoes.accept(token, from, this.link?.isConnected ?? false)) this.link!.send({ type: 'echo', token });
  }

  status(): TrackerClientStatus {
    const link = this.link?.status() ?? { connected: false, registered: false, lastDrop: undefined, attempts: 0 };
    const { listedAs, reachable } = this.own.status();
    const { trackerPeers, trackerUnreachable, staticPeers, exchangePeers } = this.lists.counts();
    return {
      connected: link.connected,
      registered: link.registered,
      listedAs,
      reachable,
      trackerPeers,
      trackerUnreachable,
      ...this.echoes.counters,
      lastDrop: link.lastDrop,
      staticPeers,
      exchangePeers,
      attempts: link.attempts,
    };
  }

  /** A new tracker connection: register our port on it. */
  private register(socket: Socket): void {
    // The tracker lists us under the address it sees; until it says which, this is the best guess.
    if (socket.localAddress) this.lists.addSelf({ host: socket.localAddress, port: this.self!.port });
    this.echoes.opened(socket.remoteAddress ?? '');
    this.link!.send(registerMessage(this.options.chainId, this.self!.port, this.options.transport ?? 'udp'));
  }

  private unregistered(): void {
    this.own.lost();
    this.echoes.close();
  }

  private handle(message: ServerMessage | ClientMessage): Refusal | undefined {
    switch (message.type) {
      case 'heartbeat':
        return undefined;
      case 'peers':
        return this.receiveList(message);
      case 'registered': {
        this.lists.addSelf(this.own.confirmed(message));
        if (message.reachable) this.echoes.close();
        this.lists.emitIfChanged();
        return undefined;
      }
      case 'error':
        // The tracker closes after an error; the link reconnects with backoff.
        this.log.warn({ code: message.code }, `tracker refused: ${message.message}`);
        return undefined;
      default:
        return { code: 'MESSAGE_UNEXPECTED', reason: `tracker sent a '${message.type}' message, which only clients send` };
    }
  }

  private receiveList(message: PeersMessage): Refusal | undefined {
    if (message.chainId !== this.options.chainId) return { code: 'WRONG_NETWORK', reason: 'tracker sent the peer list of another network' };
    if (this.link!.markRegistered()) this.log.info({ peers: message.peers.length }, 'registered with tracker');
    if (message.heartbeatMs !== undefined) this.link!.followHeartbeat(message.heartbeatMs);
    this.lists.received(message.peers);
    return undefined;
  }

  private async shutdown(): Promise<void> {
    this.state = 'stopped';
    this.extra?.withdrawAll();
    const closing = this.link?.close();
    this.unregistered();
    await closing;
  }
}
