import { connect, type Socket } from 'node:net';
import type { PeerAddress } from '../../../src/kernel/services.js';
import { TrackerClient, type TrackerClientOptions } from '../../../src/plugins/tracker/client.js';
import { FrameDecoder, MAX_FRAME_BYTES } from '../../../src/plugins/tracker/framing.js';
import { decodeMessage, encodeMessage, type PeersMessage, type TrackerMessage } from '../../../src/plugins/tracker/messages.js';
import { TrackerServer, type TrackerServerOptions } from '../../../src/plugins/tracker/server.js';

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

  static connect(to: PeerAddress): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: to.host, port: to.port, noDelay: true });
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

  register(chainId: string, port: number, host: string | undefined = '127.0.0.1'): void {
    this.send({ type: 'register', version: 1, chainId, ...(host === undefined ? {} : { host }), port });
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

/** Everything a test opens, closed in `afterEach` whatever happened. */
export class Harness {
  private readonly servers: TrackerServer[] = [];
  private readonly clients: TrackerClient[] = [];
  private readonly raws: RawPeer[] = [];

  async tracker(options: TrackerServerOptions = {}): Promise<{ server: TrackerServer; address: PeerAddress }> {
    const server = new TrackerServer({ port: 0, minPushIntervalMs: 5, ...options });
    this.servers.push(server);
    const address = await server.start();
    return { server, address };
  }

  client(options: TrackerClientOptions): TrackerClient {
    const client = new TrackerClient({ backoff: { initialMs: 20, maxMs: 200 }, ...options });
    this.clients.push(client);
    client.start();
    return client;
  }

  async raw(to: PeerAddress): Promise<RawPeer> {
    const peer = await RawPeer.connect(to);
    this.raws.push(peer);
    return peer;
  }

  async close(): Promise<void> {
    for (const raw of this.raws.splice(0)) raw.close();
    await Promise.all(this.clients.splice(0).map((c) => c.stop()));
    await Promise.all(this.servers.splice(0).map((s) => s.stop()));
  }
}
