import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { PeerAddress } from '../../../src/kernel/services.js';
import {
  decodeDatagram,
  encodeDataHeader,
  encodeNack,
  UdpTransport,
  type UdpTransportOptions,
} from '../../../src/plugins/transport-udp/index.js';
import { collectMessages as collect } from '../../../src/testing/index.js';
import { LossyProxy, until } from './loopback.js';

const log = pino({ level: 'silent' });
const MiB = 1024 * 1024;

describe('transport-udp', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close();
  });

  async function transport(options: UdpTransportOptions = {}): Promise<UdpTransport> {
    const t = new UdpTransport(options, log);
    await t.start();
    cleanup.push(() => t.stop());
    return t;
  }

  async function rawSocket(): Promise<{
    socket: dgram.Socket;
    address: PeerAddress;
    send(datagrams: Buffer[], to: PeerAddress): Promise<void>;
  }> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
    return {
      socket,
      address: { host: '127.0.0.1', port: socket.address().port },
      // Paced like the transport itself, so the receiver's socket buffer is not what drops them.
      // Callers wait for what they expect to arrive (the receiver's counters), not for time.
      async send(datagrams, to) {
        for (let i = 0; i < datagrams.length; i++) {
          socket.send(datagrams[i]!, to.port, to.host);
          if (i % 16 === 15) await new Promise((resolve) => setImmediate(resolve));
        }
      },
    };
  }

  function fragment(header: { id: number; total: number; fragSize: number; index: number; count: number }, payload: Buffer): Buffer {
    return Buffer.concat([encodeDataHeader(header), payload]);
  }

  it('gets a 4 MiB message through a link that loses 10%, duplicates and reorders datagrams', async () => {
    const a = await transport();
    const b = await transport();
    const proxy = new LossyProxy(a.address, b.address, { loss: 0.1, duplicate: 0.02, reorder: 0.05, seed: 7 });
    const via = await proxy.start();
    cleanup.push(() => proxy.stop());
    const got = collect(b);
    const message = randomBytes(4 * MiB);
    a.send(via, message);
    await until(() => got.length === 1, 20_000, 'the 4 MiB message');
    expect(got[0]!.message.equals(message)).toBe(true);
    expect(got[0]!.from).toEqual(via);
    expect(proxy.lost).toBeGreaterThan(0);
    expect(b.stats().nacksSent).toBeGreaterThan(0);
    expect(a.stats().retransmitted).toBeGreaterThan(0);
    // A window, not a wait for a condition: late retransmissions and proxy duplicates must NOT
    // deliver the message a second time, and only time can show that something does not happen.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(got.length).toBe(1);
  });

  it('delivers a duplicated message once', async () => {
    const b = await transport();
    const raw = await rawSocket();
    const got = collect(b);
    const datagram = fragment({ id: 42, total: 5, fragSize: 60_000, index: 0, count: 1 }, Buffer.from('hello'));
    await raw.send([datagram, datagram, datagram], b.address);
    // All three read: each datagram is handled as it is read, so nothing more can be delivered.
    await until(() => b.stats().datagramsReceived === 3, 5_000, 'the three copies to be read');
    expect(got.length).toBe(1);
    expect(got[0]!.from).toEqual(raw.address);
    expect(b.stats().duplicates).toBe(2);
  });

  it('survives junk datagrams, counts them, and still serves an honest peer', async () => {
    const b = await transport();
    const honest = await transport();
    const raw = await rawSocket();
    const got = collect(b);
    const valid = fragment({ id: 1, total: 70_000, fragSize: 60_000, index: 0, count: 2 }, randomBytes(60_000));
    const junk: Buffer[] = [
      Buffer.alloc(0),
      randomBytes(1),
      valid.subarray(0, 9),
      valid.subarray(0, 17),
      valid.subarray(0, 1000),
      Buffer.concat([Buffer.from([0x00]), valid.subarray(1)]),
      Buffer.concat([Buffer.from([0xca, 9]), valid.subarray(2)]),
      fragment({ id: 2, total: 70_000, fragSize: 60_000, index: 2, count: 2 }, randomBytes(10_000)),
      fragment({ id: 3, total: 70_000, fragSize: 60_000, index: 0, count: 9 }, randomBytes(60_000)),
      fragment({ id: 4, total: 0xffffffff, fragSize: 60_000, index: 0, count: 0xffff }, randomBytes(60_000)),
      fragment({ id: 5, total: 9 * MiB, fragSize: 65_000, index: 0, count: 146 }, randomBytes(65_000)),
      fragment({ id: 6, total: 70_000, fragSize: 0, index: 0, count: 1 }, Buffer.alloc(0)),
      fragment({ id: 7, total: 2_000, fragSize: 1, index: 0, count: 2_000 }, randomBytes(1)),
      encodeNack(12345, [0, 1, 2]),
      encodeNack(12345, [0]).subarray(0, 11),
      randomBytes(65_507),
      Buffer.concat([Buffer.from([0xca, 1, 1, 0]), randomBytes(65_503)]),
      ...Array.from({ length: 200 }, (_, i) => randomBytes(1 + ((i * 331) % 2000))),
      // the first fragment of a message, then a second fragment that contradicts its total
      valid,
      fragment({ id: 1, total: 80_000, fragSize: 60_000, index: 1, count: 2 }, randomBytes(20_000)),
    ];
    await raw.send(junk, b.address);
    await until(() => b.stats().datagramsReceived === junk.length, 10_000, 'all junk to be read');
    const stats = b.stats();
    expect(stats.malformed).toBeGreaterThanOrEqual(junk.length - 3);
    expect(stats.nacksUnanswerable).toBe(1);
    expect(got.length).toBe(0);
    // An honest message right after, and a valid one from the same socket that sent the junk.
    honest.send(b.address, Buffer.from('still here'));
    await raw.send([fragment({ id: 8, total: 2, fragSize: 60_000, index: 0, count: 1 }, Buffer.from('ok'))], b.address);
    await until(() => got.length === 2, 10_000, 'the honest messages');
    expect(got.map((r) => r.message.toString()).sort()).toEqual(['ok', 'still here']);
  });

  it('keeps memory bounded when a peer opens thousands of messages it never finishes', async () => {
    const b = await transport({ maxReassembliesPerPeer: 8, maxBufferedBytesPerPeer: 2 * MiB, reassemblyTimeoutMs: 500 });
    const honest = await transport();
    const raw = await rawSocket();
    const got = collect(b);
    const firsts = Array.from({ length: 3_000 }, (_, id) =>
      fragment({ id, total: 8 * MiB, fragSize: 1024, index: 0, count: 8192 }, randomBytes(1024)),
    );
    const big = Array.from({ length: 100 }, (_, i) =>
      fragment({ id: 10_000 + i, total: 4 * MiB, fragSize: 60_000, index: 0, count: 70 }, randomBytes(60_000)),
    );
    await raw.send([...firsts, ...big], b.address);
    await until(() => b.stats().datagramsReceived >= firsts.length + big.length - 50, 10_000, 'the flood to be read');
    const stats = b.stats();
    expect(stats.reassemblies).toBeLessThanOrEqual(8);
    expect(stats.bufferedBytes).toBeLessThanOrEqual(2 * MiB);
    expect(stats.dropped).toBeGreaterThan(3_000 - 8);
    const message = randomBytes(MiB);
    honest.send(b.address, message);
    await until(() => got.length === 1, 10_000, 'the honest message');
    expect(got[0]!.message.equals(message)).toBe(true);
    // Unfinished messages expire.
    await until(() => b.stats().reassemblies === 0, 5_000, 'reassemblies to time out');
    expect(b.stats().bufferedBytes).toBe(0);
    expect(b.stats().reassemblyTimeouts).toBeGreaterThan(0);
  });

  it('rate-limits a peer that floods datagrams', async () => {
    const b = await transport({ maxDatagramsPerSecondPerPeer: 100 });
    const raw = await rawSocket();
    const got = collect(b);
    const datagrams = Array.from({ length: 500 }, (_, id) =>
      fragment({ id, total: 1, fragSize: 60_000, index: 0, count: 1 }, Buffer.from('x')),
    );
    await raw.send(datagrams, b.address);
    await until(() => b.stats().datagramsReceived >= 450, 10_000, 'the flood to be read');
    expect(b.stats().rateLimited).toBeGreaterThan(250);
    expect(got.length).toBeLessThan(250);
  });
});

describe('UDP datagram decoding', () => {
  const max = 8 * MiB;

  it('never throws on random bytes, and says malformed or a well-formed datagram', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), (bytes) => {
        const d = decodeDatagram(bytes, max);
        if (d.kind === 'data') expect(d.header.index).toBeLessThan(d.header.count);
      }),
      { numRuns: 2_000 },
    );
  });

  it('never throws on headers with the right magic and arbitrary fields', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), fc.integer({ min: 1, max: 2 }), (rest, type) => {
        const d = decodeDatagram(Buffer.concat([Buffer.from([0xca, 1, type, 0]), rest]), max);
        expect(['data', 'nack', 'malformed']).toContain(d.kind);
      }),
      { numRuns: 2_000 },
    );
  });

  it('round-trips valid DATA headers', () => {
    const header = fc
      .record({
        id: fc.nat({ max: 0xffffffff }),
        total: fc.nat({ max: max }),
        fragSize: fc.integer({ min: 1024, max: 65_489 }),
        pick: fc.nat(),
      })
      .map(({ id, total, fragSize, pick }) => {
        const count = Math.max(1, Math.ceil(total / fragSize));
        return { id, total, fragSize, count, index: pick % count };
      });
    fc.assert(
      fc.property(header, (h) => {
        const length = Math.min(h.fragSize, h.total - h.index * h.fragSize);
        const d = decodeDatagram(Buffer.concat([encodeDataHeader(h), Buffer.alloc(length)]), max);
        expect(d).toMatchObject({ kind: 'data', header: h });
      }),
      { numRuns: 1_000 },
    );
  });

  it('round-trips NACKs', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.array(fc.nat({ max: 0xffff }), { minLength: 1, maxLength: 300 }), (id, missing) => {
        expect(decodeDatagram(encodeNack(id, missing), max)).toEqual({ kind: 'nack', id, missing });
      }),
    );
  });
});
