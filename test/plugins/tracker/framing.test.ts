import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, MAX_FRAME_BYTES } from '../../../src/plugins/tracker/framing.js';
import {
  decodeMessage,
  encodeMessage,
  MAX_HOST_LENGTH,
  MAX_NETWORK_PEERS,
  TRACKER_PROTOCOL_VERSION,
} from '../../../src/plugins/tracker/messages.js';
import { CHAIN_A } from './helpers.js';

/** Cuts `bytes` at the given offsets (taken modulo its length). */
function chunk(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].filter((c) => c > 0).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    out.push(bytes.subarray(from, point));
    from = point;
  }
  out.push(bytes.subarray(from));
  return out;
}

describe('FrameDecoder', () => {
  it('splits two frames delivered in one read', () => {
    const decoder = new FrameDecoder();
    const both = Buffer.concat([encodeFrame(Buffer.from('{"a":1}')), encodeFrame(Buffer.from('[2]'))]);
    const { frames, error } = decoder.push(both);
    expect(error).toBeUndefined();
    expect(frames.map((f) => f.toString())).toEqual(['{"a":1}', '[2]']);
  });

  it('assembles a frame delivered one byte at a time', () => {
    const decoder = new FrameDecoder();
    const frame = encodeFrame(Buffer.from('x'.repeat(1000)));
    const frames: Buffer[] = [];
    for (const byte of frame) frames.push(...decoder.push(Buffer.from([byte])).frames);
    expect(frames.map((f) => f.length)).toEqual([1000]);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('refuses a length above the bound as soon as the header is in, and stays refused', () => {
    const decoder = new FrameDecoder(1024);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1025);
    const first = decoder.push(Buffer.concat([encodeFrame(Buffer.from('ok')), header]));
    expect(first.frames.map((f) => f.toString())).toEqual(['ok']);
    expect(first.error?.code).toBe('FRAME_TOO_LARGE');
    expect(decoder.push(encodeFrame(Buffer.from('later'))).error?.code).toBe('FRAME_TOO_LARGE');
    expect(decoder.pendingBytes).toBe(0);
  });

  it('refuses an empty frame', () => {
    expect(new FrameDecoder().push(Buffer.alloc(4)).error?.code).toBe('FRAME_EMPTY');
  });

  it('round-trips any sequence of frames under any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (bodies, cuts) => {
          const decoder = new FrameDecoder(300);
          const stream = Buffer.concat(bodies.map((b) => encodeFrame(b)));
          const out: Buffer[] = [];
          for (const piece of chunk(stream, cuts)) {
            const { frames, error } = decoder.push(piece);
            expect(error).toBeUndefined();
            out.push(...frames);
          }
          expect(out.map((f) => Buffer.from(f).toString('hex'))).toEqual(bodies.map((b) => Buffer.from(b).toString('hex')));
          expect(decoder.pendingBytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('round-trips tracker messages under any chunking', () => {
    const peer = fc.record({ host: fc.ipV4(), port: fc.integer({ min: 1, max: 65535 }), reachable: fc.boolean() });
    const message = fc.oneof(
      fc.record({
        type: fc.constant('register' as const),
        version: fc.constant(TRACKER_PROTOCOL_VERSION),
        chainId: fc.constant(CHAIN_A),
        port: fc.integer({ min: 1, max: 65535 }),
        transport: fc.constantFrom('udp' as const, 'tcp' as const),
      }),
      fc.record({ type: fc.constant('echo' as const), token: fc.stringMatching(/^[0-9a-f]{32}$/) }),
      fc.record({
        type: fc.constant('registered' as const),
        host: fc.ipV4(),
        port: fc.integer({ min: 1, max: 65535 }),
        reachable: fc.boolean(),
      }),
      fc.constant({ type: 'heartbeat' as const }),
      fc.constant({ type: 'leave' as const }),
      fc.record({ type: fc.constant('peers' as const), chainId: fc.constant(CHAIN_A), peers: fc.array(peer, { maxLength: 50 }) }),
      fc.record({
        type: fc.constant('error' as const),
        code: fc.constantFrom('A', 'TRACKER_FULL'),
        message: fc.string({ maxLength: 100 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(message, { maxLength: 10 }), fc.array(fc.nat(), { maxLength: 30 }), (messages, cuts) => {
        const decoder = new FrameDecoder();
        const decoded = chunk(Buffer.concat(messages.map(encodeMessage)), cuts)
          .flatMap((piece) => decoder.push(piece).frames)
          .map(decodeMessage);
        expect(decoded).toEqual(messages.map((m) => ({ ok: true, message: m })));
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on random bytes, and never holds more than one frame of them', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }), (pieces) => {
        const decoder = new FrameDecoder(256);
        for (const piece of pieces) {
          const { frames } = decoder.push(piece);
          for (const frame of frames) {
            expect(frame.length).toBeLessThanOrEqual(256);
            expect(() => decodeMessage(frame)).not.toThrow();
          }
          expect(decoder.pendingBytes).toBeLessThanOrEqual(256 + 4 + 200);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('tracker messages', () => {
  it('a full network of worst-case hosts fits in one frame', () => {
    const peers = Array.from({ length: MAX_NETWORK_PEERS }, (_, i) => ({
      host: `${'h'.repeat(MAX_HOST_LENGTH - 6)}.${String(i).padStart(5, '0')}`,
      port: 65535,
      reachable: true,
    }));
    const frame = encodeMessage({ type: 'peers', chainId: CHAIN_A, peers, heartbeatMs: 5000 });
    expect(frame.length).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    const decoded = decodeMessage(frame.subarray(4));
    expect(decoded.ok && decoded.message.type === 'peers' && decoded.message.peers.length).toBe(MAX_NETWORK_PEERS);
  });

  it.each([
    ['not JSON', Buffer.from('{"type":')],
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
    ['an array', Buffer.from('[1,2]')],
    ['an unknown type', Buffer.from('{"type":"syn"}')],
    ['an extra field', Buffer.from('{"type":"heartbeat","x":1}')],
    ['a prototype key', Buffer.from('{"type":"leave","__proto__":{"polluted":true}}')],
    ['a port out of range', Buffer.from(JSON.stringify({ type: 'register', version: 2, chainId: CHAIN_A, port: 70000 }))],
    ['a short chain id', Buffer.from(JSON.stringify({ type: 'register', version: 2, chainId: 'abc', port: 1 }))],
    ['a host claim', Buffer.from(JSON.stringify({ type: 'register', version: 2, chainId: CHAIN_A, host: '127.0.0.1', port: 1 }))],
    ['a string port', Buffer.from(JSON.stringify({ type: 'register', version: 2, chainId: CHAIN_A, port: '80' }))],
    ['a list entry without its flag', Buffer.from(JSON.stringify({ type: 'peers', chainId: CHAIN_A, peers: [{ host: 'a', port: 1 }] }))],
    ['a short token', Buffer.from(JSON.stringify({ type: 'echo', token: 'ab' }))],
  ])('rejects %s', (_, body) => {
    const decoded = decodeMessage(body);
    expect(decoded.ok).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
