import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameReader } from '../../src/plugins/transport-tcp/frames.js';
import { TransportError } from '../../src/plugins/transport-tcp/errors.js';
import {
  DATA_HEADER_BYTES,
  decodeDatagram,
  encodeDataHeader,
  encodeNack,
  fragmentCount,
  MAX_FRAGMENT_BYTES,
  MAX_NACK_INDICES,
  MIN_FRAGMENT_BYTES,
  type Datagram,
} from '../../src/plugins/transport-udp/frame.js';
import { check } from '../support/property.js';
import { byteMutations, mutateBytes } from './arbitraries.js';

const MAX_MESSAGE = 8 * 1024 * 1024;

/** A message cut into DATA datagrams the way the UDP transport cuts it: fixed-size fragments, the last one shorter. */
function fragments(id: number, message: Buffer, fragSize: number): Buffer[] {
  const count = fragmentCount(message.length, fragSize);
  return Array.from({ length: count }, (_, index) =>
    Buffer.concat([
      encodeDataHeader({ id, total: message.length, fragSize, index, count }),
      message.subarray(index * fragSize, (index + 1) * fragSize),
    ]),
  );
}

/** Any valid message layout: one fragment of any size up to the datagram limit, or several of at least 1 KiB. */
const layout = fc.oneof(
  fc.record({ size: fc.nat({ max: 4096 }), fragSize: fc.integer({ min: 1, max: MAX_FRAGMENT_BYTES }) }).map(({ size, fragSize }) => ({
    size: Math.min(size, fragSize),
    fragSize,
  })),
  fc.record({ size: fc.integer({ min: 0, max: 40_000 }), fragSize: fc.integer({ min: MIN_FRAGMENT_BYTES, max: 8192 }) }),
);

/** The decoder's contract: a well-formed datagram whose fields satisfy every invariant the reassembler relies on, or `malformed`. */
function decode(bytes: Uint8Array, max = MAX_MESSAGE): Datagram {
  const d = decodeDatagram(bytes, max);
  if (d.kind === 'data') {
    const h = d.header;
    expect(h.total).toBeLessThanOrEqual(max);
    expect(h.count).toBe(fragmentCount(h.total, h.fragSize));
    expect(h.index).toBeLessThan(h.count);
    expect(h.count === 1 || h.fragSize >= MIN_FRAGMENT_BYTES).toBe(true);
    expect(d.payload.length).toBe(Math.min(h.fragSize, h.total - h.index * h.fragSize));
  } else if (d.kind === 'nack') {
    expect(d.missing.length).toBeGreaterThan(0);
    expect(d.missing.length).toBeLessThanOrEqual(MAX_NACK_INDICES);
  } else {
    expect(d.kind).toBe('malformed');
  }
  return d;
}

describe('UDP datagrams (src/plugins/transport-udp/frame.ts)', () => {
  it('a message cut into fragments, delivered in any order, decodes and reassembles to itself', () => {
    check(
      fc.property(fc.nat({ max: 0xffff_ffff }), layout, fc.nat(), (id, { size, fragSize }, seed) => {
        const message = Buffer.alloc(size, seed & 0xff).fill(Buffer.from([seed & 0xff, (seed >> 8) & 0xff, 7]));
        const datagrams = fragments(id, message, fragSize);
        // A deterministic shuffle: rotate by `seed`, then reverse odd seeds.
        const order = datagrams.map((_, i) => (i + seed) % datagrams.length);
        if (seed % 2) order.reverse();
        const parts = new Map<number, Buffer>();
        for (const i of order) {
          const d = decode(datagrams[i]!);
          if (d.kind !== 'data') throw new Error(`fragment ${i} decoded as ${d.kind}`);
          expect(d.header).toEqual({ id, total: size, fragSize, index: i, count: datagrams.length });
          parts.set(d.header.index, Buffer.from(d.payload));
        }
        const joined = Buffer.concat([...parts.entries()].sort(([a], [b]) => a - b).map(([, p]) => p));
        expect(joined.equals(message)).toBe(true);
      }),
      500,
    );
  });

  it('a NACK decodes to the indices it was given, bounded at MAX_NACK_INDICES', () => {
    check(
      fc.property(fc.nat({ max: 0xffff_ffff }), fc.array(fc.nat({ max: 0xffff }), { minLength: 1, maxLength: 5000 }), (id, missing) => {
        expect(decode(encodeNack(id, missing))).toEqual({ kind: 'nack', id, missing: missing.slice(0, MAX_NACK_INDICES) });
      }),
      300,
    );
  });

  it('random bytes, and valid datagrams truncated, flipped, extended or with a field rewritten, never throw', () => {
    const valid = fc.oneof(
      fc.tuple(fc.nat({ max: 0xffff_ffff }), layout, fc.nat()).map(([id, { size, fragSize }, pick]) => {
        const all = fragments(id, Buffer.alloc(size, 1), fragSize);
        return all[pick % all.length]!;
      }),
      fc
        .tuple(fc.nat({ max: 0xffff_ffff }), fc.array(fc.nat({ max: 0xffff }), { minLength: 1, maxLength: 40 }))
        .map(([id, m]) => encodeNack(id, m)),
    );
    check(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.tuple(valid, byteMutations).map(([d, mutations]) => mutateBytes(d, mutations)),
        ),
        fc.constantFrom(0, 1024, 65_536, MAX_MESSAGE),
        (bytes, max) => {
          decode(bytes, max);
        },
      ),
      2000,
    );
  });

  it('the header is exactly DATA_HEADER_BYTES and a payload one byte off is refused', () => {
    check(
      fc.property(fc.nat({ max: 0xffff_ffff }), layout, fc.boolean(), (id, { size, fragSize }, longer) => {
        const [first] = fragments(id, Buffer.alloc(size, 2), fragSize);
        expect(first!.length).toBe(DATA_HEADER_BYTES + Math.min(size, fragSize));
        const off = longer ? Buffer.concat([first!, Buffer.of(0)]) : first!.subarray(0, first!.length - 1);
        if (first!.length > DATA_HEADER_BYTES || longer) expect(decode(off)).toMatchObject({ kind: 'malformed' });
      }),
      500,
    );
  });
});

/** A TCP frame as the transport writes it: u32 length (type byte included) | type u8 | body. */
function tcpFrame(type: number, body: Uint8Array): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(body.length + 1, 0);
  head[4] = type;
  return Buffer.concat([head, body]);
}

/** Pushes `pieces` through `reader`; the frames it handed out, and the TransportError if it refused the stream. */
function read(reader: FrameReader, pieces: Buffer[]): { frames: string[]; error?: string } {
  const frames: string[] = [];
  try {
    for (const piece of pieces) reader.push(piece, (type, body) => frames.push(`${type}:${body.toString('hex')}`));
  } catch (err) {
    expect(err).toBeInstanceOf(TransportError);
    return { frames, error: (err as TransportError).code };
  }
  return { frames };
}

describe('TCP framing (FrameReader in src/plugins/transport-tcp)', () => {
  const frame = fc.record({ type: fc.integer({ min: 0, max: 255 }), body: fc.uint8Array({ maxLength: 300 }) });

  it('frames survive any chunking: coalesced, split at every position, byte by byte', () => {
    check(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 3 }), (list) => {
        const expected = list.map((f) => `${f.type}:${Buffer.from(f.body).toString('hex')}`);
        const stream = Buffer.concat(list.map((f) => tcpFrame(f.type, f.body)));
        expect(read(new FrameReader(301), [stream])).toEqual({ frames: expected });
        for (let i = 0; i <= stream.length; i++) {
          expect(read(new FrameReader(301), [stream.subarray(0, i), stream.subarray(i)])).toEqual({ frames: expected });
        }
        expect(
          read(
            new FrameReader(301),
            [...stream].map((b) => Buffer.of(b)),
          ),
        ).toEqual({ frames: expected });
      }),
      200,
    );
  });

  it('a length of 0 or above the limit is refused as soon as its 4 bytes are in', () => {
    check(
      fc.property(fc.integer({ min: 1, max: 4096 }), fc.oneof(fc.constant(0), fc.nat()), (max, excess) => {
        const head = Buffer.alloc(4);
        const length = excess === 0 ? 0 : Math.min(0xffff_ffff, max + excess);
        head.writeUInt32BE(length);
        expect(read(new FrameReader(max), [head])).toEqual({ frames: [], error: 'TRANSPORT_BAD_FRAME' });
      }),
      500,
    );
  });

  it('random and mutated streams hand out frames within the limit or are refused with a TransportError', () => {
    const stream = fc.oneof(
      fc.uint8Array({ maxLength: 1024 }).map((b) => Buffer.from(b)),
      fc
        .tuple(fc.array(frame, { minLength: 1, maxLength: 4 }), byteMutations)
        .map(([list, mutations]) => mutateBytes(Buffer.concat(list.map((f) => tcpFrame(f.type, f.body))), mutations)),
    );
    check(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 8 }), (bytes, at) => {
        const points = [...new Set(at.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
        const pieces = [0, ...points].map((p, i, all) => bytes.subarray(p, all[i + 1] ?? bytes.length));
        const { frames } = read(new FrameReader(301), pieces);
        for (const f of frames) expect(f.length - f.indexOf(':') - 1).toBeLessThanOrEqual(2 * 300);
      }),
      1500,
    );
  });
});
