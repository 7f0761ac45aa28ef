import net from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpTransport, type TcpTransportOptions } from '../../../src/plugins/transport-tcp/index.js';
import { collectMessages as collect } from '../../../src/testing/index.js';
import { until } from './loopback.js';

const log = pino({ level: 'silent' });

function frame(type: number, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(body.length + 1, 0);
  head[4] = type;
  return Buffer.concat([head, body]);
}

function hello(port: number): Buffer {
  const body = Buffer.alloc(2);
  body.writeUInt16BE(port, 0);
  return frame(0, Buffer.concat([body, Buffer.from('127.0.0.1')]));
}

describe('transport-tcp', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close();
  });

  async function transport(options: TcpTransportOptions = {}): Promise<TcpTransport> {
    const t = new TcpTransport(options, log);
    await t.start();
    cleanup.push(() => t.stop());
    return t;
  }

  async function rawClient(port: number): Promise<net.Socket> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.on('error', () => undefined);
    cleanup.push(() => void socket.destroy());
    return socket;
  }

  it('reads frames coalesced in one write and split across many, attributed to the connection, not the hello port', async () => {
    const b = await transport();
    const got = collect(b);
    const socket = await rawClient(b.address.port);
    socket.write(Buffer.concat([hello(40_001), frame(1, Buffer.from('one')), frame(1, Buffer.from('two'))]));
    const split = frame(1, Buffer.from('three, byte by byte'));
    for (const byte of split) {
      socket.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await until(() => got.length === 3, 10_000, 'three frames');
    expect(got.map((r) => r.message.toString())).toEqual(['one', 'two', 'three, byte by byte']);
    // The hello claimed port 40,001; the identity is the connection's own source port.
    expect(got[0]!.from).toEqual({ host: '127.0.0.1', port: socket.localPort });
    expect(got.every((r) => r.from.port === socket.localPort)).toBe(true);
  });

  it('a process cannot speak for another port of its host: messages name the connection they came on', async () => {
    const victim = await transport();
    const b = await transport();
    const got = collect(b);
    const impostor = await rawClient(b.address.port);
    impostor.write(Buffer.concat([hello(victim.address.port), frame(1, Buffer.from('forged'))]));
    await until(() => got.length === 1, 10_000, 'the impostor message');
    expect(got[0]!.from).not.toEqual(victim.address);
    // A reply to the impostor goes back on its own connection, not to the victim.
    const victimGot = collect(victim);
    const impostorGot: Buffer[] = [];
    impostor.on('data', (d: Buffer) => impostorGot.push(d));
    b.send(got[0]!.from, Buffer.from('reply'));
    await until(() => Buffer.concat(impostorGot).includes('reply'), 10_000, 'the reply on the impostor connection');
    expect(victimGot).toHaveLength(0);
  });

  it('bounds the bytes of unfinished frames over all connections', async () => {
    const b = await transport({ maxBufferedBytes: 256 * 1024 });
    const head = Buffer.alloc(5);
    head.writeUInt32BE(1024 * 1024, 0);
    head[4] = 1;
    const sockets = await Promise.all([1, 2, 3].map(() => rawClient(b.address.port)));
    for (const [i, s] of sockets.entries()) s.write(Buffer.concat([hello(41_000 + i), head, Buffer.alloc(120 * 1024)]));
    await until(() => b.stats().overBuffered >= 1, 10_000, 'a connection closed over the budget');
    expect(b.stats().bufferedBytes).toBeLessThanOrEqual(256 * 1024);
    for (const s of sockets) s.destroy();
  });

  it('closes a connection that sends data before hello or an oversized frame, and keeps serving others', async () => {
    const b = await transport({ maxMessageBytes: 1024 });
    const a = await transport();
    const got = collect(b);
    const early = await rawClient(b.address.port);
    const earlyClosed = new Promise((resolve) => early.once('close', resolve));
    early.write(frame(1, Buffer.from('no hello')));
    const huge = await rawClient(b.address.port);
    const hugeClosed = new Promise((resolve) => huge.once('close', resolve));
    const head = Buffer.alloc(4);
    head.writeUInt32BE(2_000_000_000, 0);
    huge.write(Buffer.concat([hello(40_002), head]));
    await Promise.all([earlyClosed, hugeClosed]);
    expect(b.stats().malformed).toBe(2);
    a.send(b.address, Buffer.from('honest'));
    await until(() => got.length === 1, 10_000, 'the honest message');
    expect(got[0]!.from.host).toBe(a.address.host);
  });

  it('reconnects on a later send after the peer restarts', async () => {
    const a = await transport();
    const b = new TcpTransport({}, log);
    await b.start();
    const address = b.address;
    const before = collect(b);
    a.send(address, Buffer.from('first'));
    await until(() => before.length === 1, 10_000, 'the first message');
    await b.stop();
    const again = await transport({ port: address.port });
    const after = collect(again);
    await until(
      () => {
        a.send(address, Buffer.from('again'));
        return after.length > 0;
      },
      10_000,
      'a message after the restart',
    );
    expect(after[0]!.message.toString()).toBe('again');
  });

  it('drops messages for a peer whose write buffer is over its bound', async () => {
    const a = await transport({ maxWriteBufferBytes: 1024 * 1024 });
    // A listener that accepts but never reads: the buffers fill.
    const accepted: net.Socket[] = [];
    const sink = net.createServer((socket) => {
      socket.pause();
      accepted.push(socket);
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => {
      accepted.forEach((socket) => socket.destroy());
      return new Promise<void>((resolve) => sink.close(() => resolve()));
    });
    const to = { host: '127.0.0.1', port: (sink.address() as net.AddressInfo).port };
    const chunk = Buffer.alloc(256 * 1024);
    for (let i = 0; i < 200; i++) {
      a.send(to, chunk);
      if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(a.stats().sendDropped).toBeGreaterThan(0);
    await a.stop();
  });
});
