import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import { inject, injectable } from 'tsyringe';
import type { PeerAddress, Transport } from '../../kernel/index.js';
import { assertWired, LOGGER, peerKey } from '../../kernel/index.js';
import { TransportError } from './errors.js';
import { decodeDatagram } from './frame.js';
import { resolveOptions, UDP_TRANSPORT_OPTIONS, type UdpOptions, type UdpTransportOptions } from './options.js';
import { PeerTable, type UdpPeer } from './peer-table.js';
import { Reassembler } from './reassembly.js';
import { SendQueue } from './send-queue.js';
import { newCounters, type UdpTransportStats } from './stats.js';

const SWEEP_MS = 250;

/**
 * One UDP socket. A message travels as one datagram when it fits, otherwise as numbered fragments
 * that the receiver reassembles (reassembly.ts); a receiver missing fragments after a short
 * silence sends a NACK naming them, and the sender, which keeps what it sent for a few seconds,
 * sends just those again (send-queue.ts). Every inbound datagram is bounded, rate-limited per
 * source (peer-table.ts) and decoded without throwing.
 */
@injectable()
export class UdpTransport implements Transport {
  private readonly options: UdpOptions;
  private socket?: dgram.Socket;
  private bound?: PeerAddress;
  private starting?: Promise<void>;
  private readonly handlers: Array<(from: PeerAddress, message: Buffer) => void> = [];
  private readonly counters = newCounters();
  private readonly peers: PeerTable;
  private readonly reassembler: Reassembler;
  private readonly outbox: SendQueue;
  private sweepTimer?: NodeJS.Timeout;
  private recvBufferBytes = 0;

  constructor(
    @inject(UDP_TRANSPORT_OPTIONS) options: UdpTransportOptions,
    @inject(LOGGER) private readonly log: Logger,
  ) {
    assertWired('UdpTransport', { options, log });
    this.options = resolveOptions(options);
    this.reassembler = new Reassembler(this.options, this.counters, (peer, datagram) => this.transmit([datagram], peer.address));
    this.peers = new PeerTable(this.options.maxPeers, this.options.maxDatagramsPerSecondPerPeer, (peer) => {
      this.counters.peersEvicted++;
      this.reassembler.forget(peer);
    });
    this.outbox = new SendQueue(this.options, this.counters, (chunks, to) => this.transmit(chunks, to));
  }

  get address(): PeerAddress {
    if (!this.bound) throw new TransportError('TRANSPORT_NOT_STARTED', 'the UDP transport has no address until it is started');
    return { ...this.bound };
  }

  onMessage(handler: (from: PeerAddress, message: Buffer) => void): void {
    this.handlers.push(handler);
  }

  stats(): UdpTransportStats {
    return {
      ...this.counters,
      bufferedBytes: this.reassembler.bufferedBytes,
      reassemblies: this.reassembler.count,
      peers: this.peers.size,
      retainedBytes: this.outbox.retainedByteCount,
      queuedDatagrams: this.outbox.queuedDatagrams,
      recvBufferBytes: this.recvBufferBytes,
    };
  }

  start(): Promise<void> {
    if (this.socket) return Promise.resolve();
    this.starting ??= this.bind().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async bind(): Promise<void> {
    const { host, port } = this.options;
    const socket = dgram.createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      socket.close();
      throw new TransportError('TRANSPORT_BIND_FAILED', `cannot bind UDP ${host}:${port}: ${(err as Error).message}`, { host, port });
    }
    try {
      socket.setRecvBufferSize(this.options.socketBufferBytes);
      socket.setSendBufferSize(this.options.socketBufferBytes);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'UDP socket buffer size not raised; large bursts may be lost and re-requested');
    }
    this.recvBufferBytes = socket.getRecvBufferSize();
    socket.on('error', (err) => this.log.warn({ err: err.message }, 'UDP socket error'));
    socket.on('message', (buf, rinfo) => this.receive(buf, rinfo));
    const local = socket.address();
    this.bound = { host: local.address, port: local.port };
    this.socket = socket;
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweepTimer.unref();
  }

  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const socket = this.socket;
    if (!socket) return;
    this.socket = undefined;
    clearInterval(this.sweepTimer);
    this.reassembler.clear();
    this.peers.clear();
    this.outbox.clear();
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  send(to: PeerAddress, message: Uint8Array): void {
    if (message.length > this.options.maxMessageBytes) {
      throw new TransportError(
        'TRANSPORT_MESSAGE_TOO_LARGE',
        `a message of ${message.length} bytes exceeds the ${this.options.maxMessageBytes}-byte limit`,
      );
    }
    if (!this.socket || !Number.isInteger(to.port) || to.port <= 0 || to.port > 0xffff || typeof to.host !== 'string') {
      this.counters.sendDropped++;
      return;
    }
    if (!this.outbox.send(to, message)) {
      this.counters.sendDropped++;
      this.log.debug({ to: peerKey(to), bytes: message.length }, 'UDP send queue full; message dropped');
      return;
    }
    this.counters.messagesSent++;
  }

  private transmit(chunks: Buffer[], to: PeerAddress): void {
    const socket = this.socket;
    if (!socket) return;
    try {
      socket.send(chunks, to.port, to.host, (err) => {
        if (err) this.counters.sendErrors++;
      });
      this.counters.datagramsSent++;
    } catch {
      // A closed socket or an unusable address: the contract is fire-and-forget.
      this.counters.sendErrors++;
    }
  }

  private receive(buf: Buffer, rinfo: dgram.RemoteInfo): void {
    try {
      this.counters.datagramsReceived++;
      const now = Date.now();
      const peer = this.peers.touch({ host: rinfo.address, port: rinfo.port }, now);
      if (!this.peers.takeToken(peer, now)) {
        this.counters.rateLimited++;
        return;
      }
      const datagram = decodeDatagram(buf, this.options.maxMessageBytes);
      if (datagram.kind === 'malformed') {
        this.counters.malformed++;
        return;
      }
      if (datagram.kind === 'nack') {
        this.outbox.answerNack(peer.address, datagram.id, datagram.missing);
        return;
      }
      const h = datagram.header;
      if (peer.recent.has(h.id)) {
        this.counters.duplicates++;
        return;
      }
      const message = h.count === 1 ? datagram.payload : this.reassembler.accept(peer, h, datagram.payload, now);
      if (message) this.deliver(peer, h.id, message);
    } catch (err) {
      // Nothing above should throw; if it does, one datagram is lost, never the socket.
      this.counters.malformed++;
      this.log.error({ err: (err as Error).message }, 'UDP datagram handling failed');
    }
  }

  private deliver(peer: UdpPeer, id: number, message: Buffer): void {
    this.peers.delivered(peer, id);
    this.counters.messagesDelivered++;
    for (const handler of this.handlers) {
      try {
        handler({ ...peer.address }, message);
      } catch (err) {
        this.log.error({ from: peer.key, err: (err as Error).message }, 'message handler failed');
      }
    }
  }

  private sweep(): void {
    const now = Date.now();
    this.outbox.sweep(now);
    this.reassembler.sweep(now);
    this.peers.sweep(now, (peer) => this.reassembler.holds(peer));
  }
}
