import { connect, type Socket } from 'node:net';
import { pino } from 'pino';
import { decodeMessage as decodeGossip } from '../../../src/kernel/net/messages.js';
import type { PeerAddress, Transport } from '../../../src/kernel/services.js';
import { TrackerClient, type TrackerClientOptions } from '../../../src/plugins/tracker/client.js';
import { FrameDecoder, MAX_FRAME_BYTES } from '../../../src/plugins/tracker/framing.js';
import {
  decodeMessage,
  encodeMessage,
  TRACKER_PROTOCOL_VERSION,
  type PeersMessage,
  type TrackerMessage,
} from '../../../src/plugins/tracker/messages.js';
import { TransportProber } from '../../../src/plugins/tracker/prober.js';
import { openProbeTransport } from '../../../src/cli/probe-transports.js';
import { TrackerServer, type TrackerServerOptions } from '../../../src/plugins/tracker/server.js';
import { TcpTransport } from '../../../src/plugins/transport-tcp/tcp-transport.js';
import { UdpTransport } from '../../../src/plugins/transport-udp/udp-transport.js';

export const CHAIN_A = 'a'.repeat(64);
export const CHAIN_B = 'b'.repeat(64);

/** Polls until `check` returns something truthy; fails with `what` after the deadline. */
export async function waitFor<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function keys(list: readonly PeerAddress[]): string[] {
  return list.map((p) => `${p.host}:${p.port}`).sort();
}

export const key = (p: PeerAddress): string => `${p.host}:${p.port}`;

const silent = pino({ level: 'silent' });

/**
 * What a node's `Network` does with a tracker probe (src/kernel/net/network.ts, `isProbe`):
 * a gossip `probe` message arriving on the transport is handed to `probed`, never answered.
 * Returns how many probes arrived.
 */
export function deliverProbes(transport: Transport, probed: (token: string, from: PeerAddress) => void): { count: number } {
  const seen = { count: 0 };
  transport.onMessage((from, bytes) => {
    try {
      const message = decodeGossip(bytes);
      if (message.t !== 'probe') return;
      seen.count++;
      probed(message.token, from);
    } catch {
      // Not a probe: a node would judge it as gossip; nothing here listens for gossip.
    }
  });
  return seen;
}

export function udpTransport(host = '127.0.0.1', port = 0): UdpTransport {
  return new UdpTransport({ host, port }, silent);
}

export function tcpTransport(host = '127.0.0.1', port = 0): TcpTransport {
  return new TcpTransport({ host, port }, silent);
}

/** A tracker speaker made of a bare socket: it sends whatever the test wants, framed or not. */
export class RawPeer {
  readonly messages: TrackerMessage[] = [];
  closed = false;
  bad = 0;
  private readonly decoder = new FrameDecoder(MAX_FRAME_BYTES);

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      const { frames, error } = this.decoder.push(chunk);
      for (const frame of frames) {
        const decoded = decodeMessage(frame);
        if (decoded.ok) this.messages.push(decoded.message);
        else this.bad++;
      }
      if (error) this.bad++;
    });
    socket.on('error', () => {});
    socket.on('close', () => (this.closed = true));
  }

  static connect(to: PeerAddress, localAddress?: string): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: to.host, port: to.port, noDelay: true, ...(localAddress ? { localAddress } : {}) });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawPeer(socket));
      });
    });
  }

  send(message: unknown): void {
    this.write(encodeMessage(message as TrackerMessage));
  }

  write(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** `extra` adds fields, e.g. the `host` claim of the first protocol that v2 no longer accepts. */
  register(chainId: string, port: number, extra: Record<string, unknown> = {}): void {
    this.send({ type: 'register', version: TRACKER_PROTOCOL_VERSION, chainId, port, ...extra });
  }

  /** Echoes over this connection every probe that reaches `transport`, whoever it was meant for. */
  echoProbesFrom(transport: Transport): { count: number } {
    return deliverProbes(transport, (token) => this.send({ type: 'echo', token }));
  }

  registered(): Extract<TrackerMessage, { type: 'registered' }> | undefined {
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const message = this.messages[i]!;
      if (message.type === 'registered') return message;
    }
    return undefined;
  }

  lastPeers(): PeersMessage | undefined {
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const message = this.messages[i]!;
      if (message.type === 'peers') return message;
    }
    return undefined;
  }

  errorCodes(): string[] {
    return this.messages.flatMap((m) => (m.type === 'error' ? [m.code] : []));
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A node as far as the tracker can tell: a started transport, and a client registering its address. */
export interface TestNode {
  client: TrackerClient;
  transport: UdpTransport | TcpTransport;
  address: PeerAddress;
  /** Probes that reached the transport. */
  probes: { count: number };
}

/** Everything a test opens, closed in `afterEach` whatever happened. */
export class Harness {
  private readonly servers: TrackerServer[] = [];
  private readonly probers: TransportProber[] = [];
  private readonly clients: TrackerClient[] = [];
  private readonly raws: RawPeer[] = [];
  private readonly transports: Transport[] = [];

  /** A tracker on a free port that probes through real transports, as `cairn tracker start` does. */
  async tracker(options: TrackerServerOptions = {}): Promise<{ server: TrackerServer; address: PeerAddress; prober: TransportProber }> {
    const prober = new TransportProber({ open: openProbeTransport, tcpLingerMs: 500 });
    this.probers.push(prober);
    const server = new TrackerServer({ port: 0, minPushIntervalMs: 5, probe: prober.send, ...options });
    this.servers.push(server);
    const address = await server.start();
    await prober.start(address.host);
    return { server, address, prober };
  }

  client(options: TrackerClientOptions): TrackerClient {
    const client = new TrackerClient({ backoff: { initialMs: 20, maxMs: 200 }, ...options });
    this.clients.push(client);
    client.start();
    return client;
  }

  /** A transport on loopback whose probes reach a tracker client, as in a node. */
  async node(options: Omit<TrackerClientOptions, 'localAddress'> & { host?: string }): Promise<TestNode> {
    const { host, ...clientOptions } = options;
    const transport = options.transport === 'tcp' ? tcpTransport(host) : udpTransport(host);
    await this.transport(transport);
    const client = new TrackerClient({ backoff: { initialMs: 20, maxMs: 200 }, ...clientOptions, localAddress: transport.address });
    this.clients.push(client);
    const probes = deliverProbes(transport, (token, from) => client.probed?.(token, from));
    client.start();
    return { client, transport, address: transport.address, probes };
  }

  /** Starts a transport that is stopped at the end of the test. */
  async transport<T extends Transport>(transport: T): Promise<T> {
    this.transports.push(transport);
    await transport.start?.();
    return transport;
  }

  async raw(to: PeerAddress, localAddress?: string): Promise<RawPeer> {
    const peer = await RawPeer.connect(to, localAddress);
    this.raws.push(peer);
    return peer;
  }

  async close(): Promise<void> {
    for (const raw of this.raws.splice(0)) raw.close();
    await Promise.all(this.clients.splice(0).map((c) => c.stop()));
    await Promise.all(this.servers.splice(0).map((s) => s.stop()));
    await Promise.all(this.probers.splice(0).map((p) => p.stop()));
    await Promise.all(this.transports.splice(0).map((t) => t.stop?.()));
  }
}
