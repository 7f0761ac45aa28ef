import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { connect, type Socket as TcpSocket } from 'node:net';
import { decodeDatagram, encodeDataHeader } from '../../src/plugins/transport-udp/frame.js';
import { waitFor } from './wait.js';

/**
 * The gossip protocol version the attacker speaks: 2 (proof-of-address handshake, session
 * frames; the default) or 1 (bare JSON, a hello alone makes a source ready), chosen by
 * `CAIRN_ATTACK_PROTOCOL=1`, so that one attack runs against the node before and after the
 * hardening of its edge.
 */
export const ATTACK_PROTOCOL: 1 | 2 = process.env.CAIRN_ATTACK_PROTOCOL === '1' ? 1 : 2;

/** A gossip message as the attacker sees it: any JSON object with a type. */
export type Wire = { t: string } & Record<string, unknown>;

export interface Received {
  /** The whole cairn frame, as the transport delivered it. */
  bytes: Buffer;
  /** `session`: 0x01, a token, JSON; `bare`: the JSON alone (v2 handshake frames, every v1 message). */
  frame: 'session' | 'bare' | 'unknown';
  /** For a session frame: the token it carried (ours, if the node is honest). */
  token?: Buffer;
  message?: Wire;
}

interface Sent {
  fragments: Buffer[];
  at: number;
}

const SESSION_FRAME = 0x01;
const TOKEN_BYTES = 16;
const SENT_KEPT_MS = 5000;

/** v2's session frame: `0x01 | token | JSON`. */
export function sessionFrame(token: Buffer, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([SESSION_FRAME]), token, body]);
}

/** The transport's DATA datagrams carrying one message (fragmented at `fragSize` like the transport). */
export function dataDatagrams(message: Buffer, id: number, fragSize = 60_000): Buffer[] {
  const size = message.length <= fragSize ? Math.max(message.length, 1) : fragSize;
  const count = Math.max(1, Math.ceil(message.length / size));
  return Array.from({ length: count }, (_, index) =>
    Buffer.concat([
      encodeDataHeader({ id: id >>> 0, total: message.length, fragSize: size, index, count }),
      message.subarray(index * size, (index + 1) * size),
    ]),
  );
}

const json = (message: Wire | Record<string, unknown> | Buffer): Buffer =>
  Buffer.isBuffer(message) ? message : Buffer.from(JSON.stringify(message), 'utf8');

/**
 * The gossip side of a hand-made peer, over whatever carries its frames: the handshake step by
 * step in protocol version 1 or 2, session frames, and what came back. It runs no cairn code:
 * it is an outsider reading the protocol document, so a test can stop anywhere and lie in any field.
 */
export abstract class GossipSpeaker {
  readonly received: Received[] = [];
  /** v2: the token the node gave us, to put in our session frames. */
  present?: Buffer;
  /** v2: the token we gave the node. */
  readonly expect = randomBytes(TOKEN_BYTES);

  constructor(readonly protocol: 1 | 2) {}

  /** One whole cairn frame (bare JSON or a session frame) to the node. */
  abstract sendBytes(frame: Buffer): Promise<void>;

  protected onFrame(bytes: Buffer): void {
    const r: Received = { bytes, frame: 'unknown' };
    let body: Buffer | undefined;
    if (bytes[0] === SESSION_FRAME && bytes.length > 1 + TOKEN_BYTES) {
      r.frame = 'session';
      r.token = bytes.subarray(1, 1 + TOKEN_BYTES);
      body = bytes.subarray(1 + TOKEN_BYTES);
    } else if (bytes[0] === 0x7b) {
      r.frame = 'bare';
      body = bytes;
    }
    try {
      if (body) r.message = JSON.parse(body.toString('utf8')) as Wire;
    } catch {
      // kept as bytes
    }
    this.received.push(r);
    if (this.answering && r.message) this.answer(r.message);
  }

  private answering?: { chainId: string; dialled: number };

  /** How many nodes dialled this peer and completed the handshake with it (see `answerDials`). */
  get dialledBy(): number {
    return this.answering?.dialled ?? 0;
  }

  /**
   * Plays a listening peer: answers a node that dials us (v2: a challenge echoing its nonce, then
   * a hello-ack in the session it asked for; v1: a hello-ack), and keeps the session alive with a
   * status every 5 s, as an honest peer would.
   */
  answerDials(chainId: string): void {
    this.answering = { chainId, dialled: 0 };
  }

  private answer(m: Wire): void {
    const a = this.answering!;
    if (m.t !== 'hello') return;
    const claim = this.claim(a.chainId);
    if (this.protocol === 1) {
      a.dialled++;
      void this.sendHandshake({ t: 'hello-ack', ...claim });
    } else if (m.cookie === undefined) {
      void this.sendHandshake({ t: 'challenge', cookie: randomBytes(16).toString('hex'), echo: m.nonce });
      return;
    } else {
      this.present = Buffer.from(String(m.session), 'hex');
      a.dialled++;
      void this.sendSession({ t: 'hello-ack', ...claim, session: this.expect.toString('hex') });
    }
    this.keepAlive(a.chainId);
  }

  private aliveTimer?: NodeJS.Timeout;

  /** Sends a status (v1: a hello) every 5 s, so the node never drops the session as silent. */
  keepAlive(chainId: string): void {
    if (this.aliveTimer) return;
    const claim = this.claim(chainId);
    this.aliveTimer = setInterval(() => {
      if (this.protocol === 2 && !this.present) return;
      this.sendSession({ t: this.protocol === 1 ? 'hello' : 'status', ...claim }).catch(() => undefined);
    }, 5000);
    this.aliveTimer.unref();
  }

  /** Stops answering dials and keeping the session alive. */
  stopAnswering(): void {
    clearInterval(this.aliveTimer);
    this.aliveTimer = undefined;
    this.answering = undefined;
  }

  /** A message travelling bare: v2's handshake frame, and every message of v1. */
  sendHandshake(message: Wire | Record<string, unknown> | Buffer): Promise<void> {
    return this.sendBytes(json(message));
  }

  /**
   * A message after the handshake: in v2 a session frame with the node's token (or any token a
   * test chooses), in v1 bare JSON.
   */
  sendSession(message: Wire | Record<string, unknown> | Buffer, token = this.present): Promise<void> {
    if (this.protocol === 1) return this.sendBytes(json(message));
    if (!token) throw new Error('no session: run handshake() first');
    return this.sendBytes(sessionFrame(token, json(message)));
  }

  /** The claim of a peer of `chainId` at genesis, or what a test wants it to say. */
  claim(chainId: string, extra: Partial<{ tip: string; height: number; work: string; version: number }> = {}) {
    return { version: this.protocol, chainId, tip: chainId, height: 0, work: '1', ...extra };
  }

  /** v2: a first hello (no cookie), as a dialler's; v1: the whole handshake in one message. */
  hello(claim: ReturnType<GossipSpeaker['claim']>, nonce = randomBytes(16).toString('hex')): Promise<void> {
    return this.sendHandshake(this.protocol === 1 ? { t: 'hello', ...claim } : { t: 'hello', ...claim, nonce });
  }

  /**
   * The whole handshake, as an honest peer does it; resolves once the node has accepted us
   * (v2: its hello-ack came in our session; v1: it answered our hello). A claim for another
   * chain never gets that far: `proveOnly` stops after sending the proof.
   */
  async handshake(chainId: string, claim = this.claim(chainId), timeoutMs = 5000, proveOnly = false): Promise<void> {
    if (this.protocol === 1) {
      await this.hello(claim);
      if (proveOnly) return;
      await waitFor('the node to answer our hello', () => this.messages().some((m) => m.t === 'hello-ack' || m.t === 'hello'), timeoutMs);
      return;
    }
    const nonce = randomBytes(16).toString('hex');
    const from = this.received.length;
    await this.hello(claim, nonce);
    await waitFor('a challenge', () => this.received.slice(from).some((r) => r.message?.t === 'challenge'), timeoutMs);
    const challenge = this.received.slice(from).find((r) => r.message?.t === 'challenge')!.message as unknown as {
      cookie: string;
      echo?: string;
    };
    if (challenge.echo !== nonce) throw new Error('the challenge did not echo our nonce');
    await this.sendHandshake({ t: 'hello', ...claim, nonce, cookie: challenge.cookie, session: this.expect.toString('hex') });
    if (proveOnly) return;
    await waitFor('a hello-ack', () => this.received.some((r) => r.message?.t === 'hello-ack'), timeoutMs);
    const ack = this.received.find((r) => r.message?.t === 'hello-ack')!;
    if (!ack.token?.equals(this.expect)) throw new Error('the hello-ack did not carry our session token');
    this.present = Buffer.from((ack.message as unknown as { session: string }).session, 'hex');
  }

  /** Messages received so far, of type `t` if given. */
  messages(t?: string): Wire[] {
    return this.received.flatMap((r) => (r.message && (!t || r.message.t === t) ? [r.message] : []));
  }

  /** Waits for a message of type `t` arriving after index `after` of `received`. */
  async next(t: string, timeoutMs = 5000, after = 0): Promise<Wire> {
    let found: Wire | undefined;
    await waitFor(`a ${t} message`, () => !!(found = this.received.slice(after).find((r) => r.message?.t === t)?.message), timeoutMs, 10);
    return found!;
  }
}

/**
 * A hand-made UDP peer for attack tests: it speaks the transport's framing (fragmenting and
 * reassembling as the transport does, answering the node's NACKs) under the gossip speaker, and
 * counts every byte it sends and receives.
 */
export class RawPeer extends GossipSpeaker {
  readonly socket: Socket;
  /** Every byte of every datagram, both ways (UDP payloads, transport headers included). */
  bytesIn = 0;
  bytesOut = 0;
  datagramsIn = 0;
  /** Transport message ids of the DATA datagrams received, in order (one per message). */
  readonly dataIds: number[] = [];
  /** When the last datagram came (ms since the epoch). */
  lastInAt = 0;
  /** Keep decoded messages (off for floods that only count bytes). */
  keep = true;
  private nextId = randomBytes(4).readUInt32BE(0);
  private readonly parts = new Map<number, { count: number; total: number; got: Map<number, Buffer> }>();
  private readonly sent = new Map<number, Sent>();

  private constructor(
    socket: Socket,
    public to: { host: string; port: number },
    protocol: 1 | 2,
  ) {
    super(protocol);
    this.socket = socket;
    socket.on('message', (msg) => this.onDatagram(msg));
    socket.on('error', () => undefined);
  }

  static async open(
    to: string | { host: string; port: number },
    bindHost = '127.0.0.1',
    bindPort = 0,
    protocol: 1 | 2 = ATTACK_PROTOCOL,
  ): Promise<RawPeer> {
    const address = typeof to === 'string' ? { host: to.split(':')[0]!, port: Number(to.split(':')[1]) } : to;
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(bindPort, bindHost, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    try {
      socket.setRecvBufferSize(4 * 1024 * 1024);
    } catch {
      // the kernel's cap applies
    }
    return new RawPeer(socket, address, protocol);
  }

  get address(): { host: string; port: number } {
    const a = this.socket.address();
    return { host: a.address, port: a.port };
  }

  get key(): string {
    return `${this.address.host}:${this.address.port}`;
  }

  private onDatagram(msg: Buffer): void {
    this.bytesIn += msg.length;
    this.datagramsIn++;
    this.lastInAt = Date.now();
    if (!this.keep) return;
    const d = decodeDatagram(msg, 64 * 1024 * 1024);
    if (d.kind === 'nack') {
      const sent = this.sent.get(d.id);
      if (sent) for (const i of new Set(d.missing)) if (sent.fragments[i]) this.transmit(sent.fragments[i]!);
      return;
    }
    if (d.kind !== 'data') return;
    if (this.dataIds.at(-1) !== d.header.id) this.dataIds.push(d.header.id);
    if (d.header.count === 1) return this.onFrame(Buffer.from(d.payload));
    let p = this.parts.get(d.header.id);
    if (!p) {
      p = { count: d.header.count, total: d.header.total, got: new Map() };
      this.parts.set(d.header.id, p);
      if (this.parts.size > 64) this.parts.delete(this.parts.keys().next().value!);
    }
    p.got.set(d.header.index, Buffer.from(d.payload));
    if (p.got.size < p.count) return;
    this.parts.delete(d.header.id);
    this.onFrame(Buffer.concat([...Array(p.count).keys()].map((i) => p.got.get(i)!)));
  }

  /** One whole cairn frame as transport datagrams, with a fresh message id. */
  datagrams(frame: Buffer, fragSize = 60_000): Buffer[] {
    return dataDatagrams(frame, this.nextId++, fragSize);
  }

  private transmit(datagram: Buffer): Promise<void> {
    this.bytesOut += datagram.length;
    return new Promise<void>((resolve) => this.socket.send(datagram, this.to.port, this.to.host, () => resolve()));
  }

  /** A raw datagram, no framing added. */
  sendDatagram(datagram: Buffer): Promise<void> {
    return this.transmit(datagram);
  }

  /** A whole cairn frame (bare JSON or a session frame) through the transport's framing. */
  async sendBytes(frame: Buffer): Promise<void> {
    const id = this.nextId;
    const fragments = this.datagrams(frame);
    if (fragments.length > 1) {
      const now = Date.now();
      for (const [k, s] of this.sent) if (now - s.at > SENT_KEPT_MS) this.sent.delete(k);
      this.sent.set(id, { fragments, at: now });
    }
    for (const [i, d] of fragments.entries()) {
      await this.transmit(d);
      // A burst of 60 KB datagrams overflows a receive buffer: pace like the transport does.
      if (i % 16 === 15) await new Promise((r) => setImmediate(r));
    }
  }

  close(): void {
    this.stopAnswering();
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}

const TCP_HELLO = 0;
const TCP_DATA = 1;

/** A TCP transport frame: `length u32 | type u8 | body`, the length counting the type byte. */
export function tcpFrame(type: number, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(body.length + 1, 0);
  head[4] = type;
  return Buffer.concat([head, body]);
}

/** The TCP transport's hello body: the listening port the dialler claims, and its host. */
export function tcpHello(port: number, host = '127.0.0.1'): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(port, 0);
  return tcpFrame(TCP_HELLO, Buffer.concat([b, Buffer.from(host)]));
}

/**
 * A hand-made peer over the TCP transport: a connection that says hello claiming whatever
 * listening port a test wants, then speaks gossip in data frames.
 */
export class RawTcpPeer extends GossipSpeaker {
  private buffered = Buffer.alloc(0);
  closed = false;

  private constructor(
    readonly socket: TcpSocket,
    protocol: 1 | 2,
  ) {
    super(protocol);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => (this.closed = true));
  }

  /** Connects to `to` and says hello with `claimedPort` as its listening port. */
  static async connect(to: string, claimedPort: number, protocol: 1 | 2 = ATTACK_PROTOCOL): Promise<RawTcpPeer> {
    const [host, port] = [to.slice(0, to.lastIndexOf(':')), Number(to.slice(to.lastIndexOf(':') + 1))];
    const socket = connect({ host, port, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const peer = new RawTcpPeer(socket, protocol);
    socket.write(tcpHello(claimedPort));
    return peer;
  }

  /** The connection's own source address, as the node sees it. */
  get key(): string {
    return `${this.socket.localAddress}:${this.socket.localPort}`;
  }

  private onData(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 5) {
      const length = this.buffered.readUInt32BE(0);
      if (this.buffered.length < 4 + length) return;
      const type = this.buffered[4];
      const body = this.buffered.subarray(5, 4 + length);
      this.buffered = this.buffered.subarray(4 + length);
      if (type === TCP_DATA) this.onFrame(Buffer.from(body));
    }
  }

  sendBytes(frame: Buffer): Promise<void> {
    return new Promise<void>((resolve) => this.socket.write(tcpFrame(TCP_DATA, frame), () => resolve()));
  }

  close(): void {
    this.socket.destroy();
  }
}
