import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/kernel/errors.js';
import { formatHostPort, parseHostPort } from '../../src/plugins/tracker/address.js';
import { encodeFrame, FRAME_HEADER_BYTES, FrameDecoder } from '../../src/plugins/tracker/framing.js';
import {
  decodeMessage,
  encodeMessage,
  MAX_HOST_LENGTH,
  MAX_MESSAGE_DEPTH,
  TRACKER_PROTOCOL_VERSION,
  type TrackerMessage,
} from '../../src/plugins/tracker/messages.js';
import { check } from '../support/property.js';
import {
  byteMutations,
  hex64,
  json,
  jsonBytes,
  jsonMutations,
  mutateBytes,
  mutateJson,
  mutateNumber,
  numberMutation,
} from './arbitraries.js';

const host = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.domain(),
  fc.stringMatching(new RegExp(`^[A-Za-z0-9_:][A-Za-z0-9._:%-]{0,${MAX_HOST_LENGTH - 1}}$`)),
);
const port = fc.integer({ min: 1, max: 65535 });

const trackerMessage: fc.Arbitrary<TrackerMessage> = fc.oneof(
  fc.record(
    {
      type: fc.constant('register' as const),
      version: fc.constant(TRACKER_PROTOCOL_VERSION),
      chainId: hex64,
      port,
      transport: fc.constantFrom('udp' as const, 'tcp' as const),
    },
    { requiredKeys: ['type', 'version', 'chainId', 'port'] },
  ),
  fc.record({ type: fc.constant('echo' as const), token: fc.stringMatching(/^[0-9a-f]{32}$/) }),
  fc.record({ type: fc.constant('registered' as const), host, port, reachable: fc.boolean() }),
  fc.constant({ type: 'heartbeat' as const }),
  fc.constant({ type: 'leave' as const }),
  fc.record(
    {
      type: fc.constant('peers' as const),
      chainId: hex64,
      peers: fc.array(fc.record({ host, port, reachable: fc.boolean() }), { maxLength: 20 }),
      heartbeatMs: fc.integer({ min: 10, max: 3_600_000 }),
    },
    { requiredKeys: ['type', 'chainId', 'peers'] },
  ),
  fc.record({
    type: fc.constant('error' as const),
    code: fc.stringMatching(/^[A-Z][A-Z0-9_]{0,63}$/),
    message: fc.string({ maxLength: 500 }),
  }),
);

/**
 * The decoder's contract: `{ ok: true, message }` or a coded refusal (MESSAGE_MALFORMED,
 * MESSAGE_TOO_DEEP past the depth bound, VERSION_UNSUPPORTED for a register of another
 * version); it never throws.
 */
function decodeBody(body: Uint8Array): ReturnType<typeof decodeMessage> {
  const result = decodeMessage(body);
  if (!result.ok) expect(['MESSAGE_MALFORMED', 'MESSAGE_TOO_DEEP', 'VERSION_UNSUPPORTED']).toContain(result.code);
  return result;
}

/** Pushes `pieces` through one decoder; returns the frames and the first error. */
function feed(decoder: FrameDecoder, pieces: Uint8Array[]): { frames: string[]; error?: string } {
  const frames: string[] = [];
  let error: string | undefined;
  for (const piece of pieces) {
    const result = decoder.push(piece);
    frames.push(...result.frames.map((f) => Buffer.from(f).toString('hex')));
    error ??= result.error?.code;
  }
  return { frames, error };
}

/** Cuts `bytes` at sorted positions. */
function cut(bytes: Buffer, at: number[]): Buffer[] {
  const points = [...new Set(at.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out;
}

describe('tracker framing (src/plugins/tracker/framing.ts)', () => {
  it('messages survive encode, any chunking and decode', () => {
    check(
      fc.property(fc.array(trackerMessage, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 20 }), (messages, at) => {
        const stream = Buffer.concat(messages.map(encodeMessage));
        const { frames, error } = feed(new FrameDecoder(), cut(stream, at));
        expect(error).toBeUndefined();
        expect(frames.map((hex) => decodeBody(Buffer.from(hex, 'hex')))).toEqual(messages.map((message) => ({ ok: true, message })));
      }),
      1000,
    );
  });

  it('two frames coalesced in one chunk, and a frame split at every position, decode as when sent whole', () => {
    check(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.uint8Array({ minLength: 1, maxLength: 200 }), (a, b) => {
        const expected = [Buffer.from(a).toString('hex'), Buffer.from(b).toString('hex')];
        const stream = Buffer.concat([encodeFrame(a), encodeFrame(b)]);
        expect(feed(new FrameDecoder(), [stream])).toEqual({ frames: expected, error: undefined });
        for (let i = 0; i <= stream.length; i++) {
          const decoder = new FrameDecoder();
          expect(feed(decoder, [stream.subarray(0, i), stream.subarray(i)])).toEqual({ frames: expected, error: undefined });
          expect(decoder.pendingBytes).toBe(0);
        }
        expect(
          feed(
            new FrameDecoder(),
            [...stream].map((byte) => Uint8Array.of(byte)),
          ).frames,
        ).toEqual(expected);
      }),
      200,
    );
  });

  it('an oversized length prefix is refused as soon as its 4 bytes are in, without buffering what follows', () => {
    check(
      fc.property(
        fc.integer({ min: 1, max: 4096 }),
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 64 }), { maxLength: 3 }),
        fc.nat(),
        fc.array(fc.uint8Array({ maxLength: 512 }), { maxLength: 5 }),
        (max, before, excess, after) => {
          const decoder = new FrameDecoder(max);
          const good = before.filter((b) => b.length <= max);
          const head = Buffer.alloc(FRAME_HEADER_BYTES);
          head.writeUInt32BE(Math.min(0xffff_ffff, max + 1 + excess));
          const first = feed(decoder, [Buffer.concat([...good.map((b) => encodeFrame(b)), head])]);
          expect(first).toEqual({ frames: good.map((b) => Buffer.from(b).toString('hex')), error: 'FRAME_TOO_LARGE' });
          expect(decoder.pendingBytes).toBe(0);
          for (const piece of after) {
            expect(decoder.push(piece)).toEqual({ frames: [], error: expect.objectContaining({ code: 'FRAME_TOO_LARGE' }) });
            expect(decoder.pendingBytes).toBe(0);
          }
        },
      ),
      1000,
    );
  });

  it('random and mutated streams never throw, and never hold more than one frame and one chunk', () => {
    const max = 1024;
    const stream = fc.oneof(
      fc.uint8Array({ maxLength: 2048 }),
      fc
        .tuple(fc.array(trackerMessage, { minLength: 1, maxLength: 4 }), byteMutations)
        .map(([ms, mutations]) => mutateBytes(Buffer.concat(ms.map(encodeMessage)), mutations)),
    );
    check(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 10 }), (bytes, at) => {
        const decoder = new FrameDecoder(max);
        for (const piece of cut(Buffer.from(bytes), at)) {
          const { frames, error } = decoder.push(piece);
          for (const frame of frames) {
            expect(frame.length).toBeGreaterThan(0);
            expect(frame.length).toBeLessThanOrEqual(max);
            decodeBody(frame);
          }
          if (error) expect(['FRAME_TOO_LARGE', 'FRAME_EMPTY']).toContain(error.code);
          expect(decoder.pendingBytes).toBeLessThanOrEqual(FRAME_HEADER_BYTES + max + piece.length);
        }
      }),
      1000,
    );
  });
});

describe('tracker messages (src/plugins/tracker/messages.ts)', () => {
  it('arbitrary bytes and JSON decode or are MESSAGE_MALFORMED, never a throw', () => {
    const typed = fc
      .tuple(
        fc.constantFrom('register', 'heartbeat', 'leave', 'peers', 'registered', 'echo', 'error'),
        fc.dictionary(fc.string({ maxLength: 10 }), json(2)),
      )
      .map(([type, rest]) => ({ ...rest, type }));
    check(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.oneof(json(), typed).map(jsonBytes)), (body) => {
        decodeBody(body);
      }),
      1500,
    );
  });

  it('mutated valid messages decode or are MESSAGE_MALFORMED, and what decodes re-encodes to itself', () => {
    const mutated = fc.oneof(
      fc.tuple(trackerMessage, jsonMutations).map(([m, mutations]) => jsonBytes(mutateJson(m, mutations))),
      fc.tuple(trackerMessage, numberMutation).map(([m, n]) => Buffer.from(mutateNumber(JSON.stringify(m), n))),
      fc.tuple(trackerMessage, byteMutations).map(([m, mutations]) => mutateBytes(Buffer.from(JSON.stringify(m)), mutations)),
    );
    check(
      fc.property(mutated, (body) => {
        const result = decodeBody(body);
        if (result.ok) {
          const again = decodeBody(encodeMessage(result.message).subarray(FRAME_HEADER_BYTES));
          expect(again.ok && JSON.stringify(again.message)).toBe(JSON.stringify(result.message));
        }
      }),
      1500,
    );
  });
});

describe('tracker messages nested deeply (src/plugins/tracker/messages.ts)', () => {
  it('any message carrying arrays or objects nested past the bound is MESSAGE_TOO_DEEP, decided before parsing', () => {
    const nest = fc
      .tuple(fc.integer({ min: MAX_MESSAGE_DEPTH, max: 20_000 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }))
      .map(([depth, kinds]) => {
        let open = '';
        let close = '';
        for (let i = 0; i < depth; i++) {
          const array = kinds[i % kinds.length];
          open += array ? '[' : '{"k":';
          close = (array ? ']' : '}') + close;
        }
        return open + '0' + close;
      });
    check(
      fc.property(trackerMessage, nest, (message, deep) => {
        const body = JSON.stringify(message).replace(/}$/, `,"x":${deep}}`);
        const result = decodeBody(Buffer.from(body));
        expect(result).toMatchObject({ ok: false, code: 'MESSAGE_TOO_DEEP' });
      }),
      200,
    );
  });
});

describe('HOST:PORT addresses (src/plugins/tracker/address.ts)', () => {
  it('a formatted address parses back to itself', () => {
    check(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain()), port, (h, p) => {
        expect(parseHostPort(formatHostPort({ host: h, port: p }))).toEqual({ host: h, port: p });
      }),
      1000,
    );
  });

  it('any string is an address or a ConfigError', () => {
    const near = fc
      .tuple(fc.oneof(fc.string(), fc.ipV6(), fc.domain()), fc.oneof(fc.string({ maxLength: 7 }), fc.integer().map(String)))
      .map(([h, p]) => `${h}:${p}`);
    check(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), near), (text) => {
        try {
          const address = parseHostPort(text);
          expect(address.port).toBeGreaterThanOrEqual(1);
          expect(address.port).toBeLessThanOrEqual(65535);
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
        }
      }),
      1000,
    );
  });
});
