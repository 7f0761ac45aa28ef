import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import {
  decodeHandshake,
  decodeSession,
  encodeHandshake,
  encodeSession,
  PROTOCOL_VERSION,
  readFrame,
  type HandshakeMessage,
  type SessionMessage,
} from '../../src/kernel/net/messages.js';
import { decodeDatagram, encodeDataHeader } from '../../src/plugins/transport-udp/frame.js';
import { waitFor } from './wait.js';

export interface Received {
  /** The whole cairn frame, as the transport delivered it. */
  bytes: Buffer;
  handshake?: HandshakeMessage;
  session?: SessionMessage;
}

/**
 * A hand-made UDP peer for attack tests: it speaks the transport's framing (one datagram per
 * message; bigger messages are fragmented as the transport would) and the gossip handshake
 * step by step, so a test can stop anywhere, lie in any field, and count every byte it sends
 * and receives. No cairn code runs on its side beyond the encoders.
 */
export class RawPeer {
  readonly socket: Socket;
  readonly received: Received[] = [];
  bytesIn = 0;
  bytesOut = 0;
  /** The token the node gave us, to put in our session frames. */
  present?: Buffer;
  /** The token we gave the node. */
  readonly expect = randomBytes(16);
  private nextId = randomBytes(4).readUInt32BE(0);

  private constructor(
    socket: Socket,
    public to: { host: string; port: number },
  ) {
    this.socket = socket;
    socket.on('message', (msg) => {
      this.bytesIn += msg.length;
      const d = decodeDatagram(msg, 64 * 1024 * 1024);
      if (d.kind !== 'data' || d.header.count !== 1) return;
      const frame = readFrame(d.payload);
      const r: Received = { bytes: d.payload };
      try {
        if (frame.kind === 'handshake') r.handshake = decodeHandshake(frame.body);
        if (frame.kind === 'session') r.session = decodeSession(frame.body);
      } catch {
        // kept as bytes
      }
      this.received.push(r);
    });
  }

  static async open(to: string | { host: string; port: number }, bindHost = '127.0.0.1', bindPort = 0): Promise<RawPeer> {
    const address = typeof to === 'string' ? { host: to.split(':')[0]!, port: Number(to.split(':')[1]) } : to;
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(bindPort, bindHost, () => resolve());
    });
    return new RawPeer(socket, address);
  }

  get address(): { host: string; port: number } {
    const a = this.socket.address();
    return { host: a.address, port: a.port };
  }

  /** One whole message as transport datagrams (fragmented at 60,000 bytes like the transport). */
  datagrams(message: Buffer, fragSize = 60_000): Buffer[] {
    const id = this.nextId++ >>> 0;
    const size = message.length <= fragSize ? Math.max(message.length, 1) : fragSize;
    const count = Math.max(1, Math.ceil(message.length / size));
    return Array.from({ length: count }, (_, index) =>
      Buffer.concat([
        encodeDataHeader({ id, total: message.length, fragSize: size, index, count }),
        message.subarray(index * size, (index + 1) * size),
      ]),
    );
  }

  async sendBytes(message: Buffer): Promise<void> {
    for (const d of this.datagrams(message)) {
      this.bytesOut += d.length;
      await new Promise<void>((resolve) => this.socket.send(d, this.to.port, this.to.host, () => resolve()));
    }
  }

  sendHandshake(message: HandshakeMessage | Record<string, unknown>): Promise<void> {
    return this.sendBytes(encodeHandshake(message as HandshakeMessage));
  }

  /** A session frame with the node's token (or any token a test chooses) around `message` or raw JSON bytes. */
  sendSession(message: SessionMessage | Record<string, unknown> | Buffer, token = this.present): Promise<void> {
    if (!token) throw new Error('no session: run handshake() first');
    const body = Buffer.isBuffer(message) ? message : Buffer.from(JSON.stringify(message));
    return this.sendBytes(encodeSession(token, body));
  }

  /** The claim of a peer of `chainId` at genesis, or what a test wants it to say. */
  static claim(chainId: string, extra: Partial<{ tip: string; height: number; work: string; version: number }> = {}) {
    return { version: PROTOCOL_VERSION, chainId, tip: chainId, height: 0, work: '1', ...extra };
  }

  /** The whole handshake, as an honest peer does it; resolves once the node's hello-ack came. */
  async handshake(chainId: string, claim = RawPeer.claim(chainId), timeoutMs = 5000): Promise<void> {
    const nonce = randomBytes(16).toString('hex');
    await this.sendHandshake({ t: 'hello', ...claim, nonce });
    await waitFor('a challenge', () => this.received.some((r) => r.handshake?.t === 'challenge'), timeoutMs);
    const challenge = this.received.find((r) => r.handshake?.t === 'challenge')!.handshake as { cookie: string; echo?: string };
    if (challenge.echo !== nonce) throw new Error('the challenge did not echo our nonce');
    await this.sendHandshake({ t: 'hello', ...claim, nonce, cookie: challenge.cookie, session: this.expect.toString('hex') });
    await waitFor('a hello-ack', () => this.received.some((r) => r.session?.t === 'hello-ack'), timeoutMs);
    const ack = this.received.find((r) => r.session?.t === 'hello-ack')!;
    if (!ack.bytes.subarray(1, 17).equals(this.expect)) throw new Error('the hello-ack did not carry our session token');
    this.present = Buffer.from((ack.session as { session: string }).session, 'hex');
  }

  sessionMessages(t?: SessionMessage['t']): SessionMessage[] {
    return this.received.flatMap((r) => (r.session && (!t || r.session.t === t) ? [r.session] : []));
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}
