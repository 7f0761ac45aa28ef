import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DecodeError,
  decodeMessage,
  encodeHandshake,
  encodeSession,
  isHandshakeType,
  MAX_BLOCKS_PER_PAGE,
  MAX_HEADERS,
  MAX_INV,
  MAX_MESSAGE_BYTES,
  MAX_PEERS_SHARED,
  type HandshakeMessage,
  type Message,
  type SessionMessage,
} from '../../src/kernel/net/messages.js';
import { check } from '../support/property.js';
import {
  byteMutations,
  envelope,
  header,
  hex,
  hex64,
  json,
  jsonBytes,
  jsonMutations,
  jsonObject,
  mutateBytes,
  mutateJson,
  mutateNumber,
  numberMutation,
} from './arbitraries.js';

// Lists are kept short: the bounds are exercised by the schema cases below, not by size.
const list = <T>(arb: fc.Arbitrary<T>, max: number) => fc.array(arb, { maxLength: Math.min(max, 8) });
const count = fc.maxSafeNat();

const token = hex(32);
const claim = {
  version: count,
  chainId: hex64,
  tip: hex64,
  height: count,
  work: fc.integer({ min: 1, max: 80 }).chain((n) => hex(n)),
};
const SESSION_TOKEN = Buffer.alloc(16, 7);

/** A message in the frame it travels in: handshake messages bare, the rest in a session frame. */
function encode(m: Message): Buffer {
  return isHandshakeType(m.t) ? encodeHandshake(m as HandshakeMessage) : encodeSession(SESSION_TOKEN, m as SessionMessage);
}

/** JSON bytes in the frame their type would travel in (the type may be anything). */
function frame(body: Buffer, t: unknown): Buffer {
  return typeof t === 'string' && isHandshakeType(t) ? body : encodeSession(SESSION_TOKEN, body);
}

const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record(
    { t: fc.constant('hello' as const), ...claim, nonce: token, cookie: token, session: token },
    {
      requiredKeys: ['t', 'version', 'chainId', 'tip', 'height', 'work', 'nonce'],
    },
  ),
  fc.record({ t: fc.constant('challenge' as const), cookie: token, echo: token }, { requiredKeys: ['t', 'cookie'] }),
  fc.record({ t: fc.constant('probe' as const), token }),
  fc.record({ t: fc.constant('hello-ack' as const), ...claim, session: token }),
  fc.record({ t: fc.constant('status' as const), ...claim }),
  fc.record({ t: fc.constant('inv' as const), blocks: list(hex64, MAX_INV), txs: list(hex64, MAX_INV) }, { requiredKeys: ['t'] }),
  fc.record(
    { t: fc.constant('getheaders' as const), locator: list(hex64, 64), limit: fc.integer({ min: 1, max: MAX_HEADERS }) },
    { requiredKeys: ['t', 'locator'] },
  ),
  fc.record({ t: fc.constant('headers' as const), headers: list(header, MAX_HEADERS) }),
  fc.record(
    { t: fc.constant('getblocks' as const), hashes: list(hex64, MAX_BLOCKS_PER_PAGE), req: count },
    { requiredKeys: ['t', 'hashes'] },
  ),
  fc.record(
    {
      t: fc.constant('blocks' as const),
      blocks: list(fc.record({ header, txs: list(envelope, 4) }), MAX_BLOCKS_PER_PAGE),
      missing: list(hex64, MAX_BLOCKS_PER_PAGE),
      req: count,
    },
    { requiredKeys: ['t', 'blocks'] },
  ),
  fc.record({ t: fc.constant('gettxs' as const), ids: list(hex64, MAX_INV) }),
  fc.record({ t: fc.constant('txs' as const), txs: list(envelope, MAX_INV) }),
  fc.constant({ t: 'getpeers' as const }),
  fc.record({
    t: fc.constant('peers' as const),
    peers: list(
      fc.record({ host: fc.string({ minLength: 1, maxLength: 255 }), port: fc.integer({ min: 1, max: 65535 }) }),
      MAX_PEERS_SHARED,
    ),
  }),
) as fc.Arbitrary<Message>;

/** The decoder's whole contract: a message, or a DecodeError with one of its four codes; nothing else escapes. */
function decodesOrRefuses(bytes: Buffer): Message | DecodeError {
  try {
    return decodeMessage(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    expect(['MSG_TOO_LARGE', 'MSG_TOO_DEEP', 'MSG_NOT_JSON', 'MSG_UNKNOWN_TYPE', 'MSG_INVALID']).toContain((err as DecodeError).code);
    return err as DecodeError;
  }
}

describe('gossip messages (src/kernel/net/messages.ts)', () => {
  it('decode(encode(m)) equals m for every valid message', () => {
    check(
      fc.property(message, (m) => {
        expect(decodeMessage(encode(m))).toEqual(m);
      }),
      1500,
    );
  });

  it('arbitrary bytes decode or are refused with a DecodeError', () => {
    check(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        decodesOrRefuses(Buffer.from(bytes));
      }),
      1500,
    );
  });

  it('arbitrary JSON, including objects that name a real message type, decodes or is refused', () => {
    const typed = fc
      .tuple(
        fc.constantFrom(
          'hello',
          'challenge',
          'probe',
          'hello-ack',
          'status',
          'inv',
          'getheaders',
          'headers',
          'getblocks',
          'blocks',
          'gettxs',
          'txs',
          'getpeers',
          'peers',
        ),
        jsonObject(),
      )
      .map(([t, rest]) => ({ ...rest, t }));
    check(
      fc.property(fc.oneof(json(), typed), (value) => {
        decodesOrRefuses(frame(jsonBytes(value), (value as { t?: unknown } | null)?.t));
      }),
      1500,
    );
  });

  it('valid messages with bytes truncated, flipped, inserted or appended decode or are refused', () => {
    check(
      fc.property(message, byteMutations, (m, mutations) => {
        decodesOrRefuses(mutateBytes(encode(m), mutations));
      }),
      1500,
    );
  });

  it('valid messages with fields replaced by edge values, removed or added decode or are refused', () => {
    check(
      fc.property(message, jsonMutations, (m, mutations) => {
        const mutated = mutateJson(m, mutations);
        const decoded = decodesOrRefuses(frame(jsonBytes(mutated), (mutated as { t?: unknown } | null)?.t));
        if (!(decoded instanceof DecodeError)) expect(decodeMessage(encode(decoded))).toEqual(decoded);
      }),
      1500,
    );
  });

  it('number fields spelled as 1e999, -0 or past 2^53 decode to values that re-encode, or are refused', () => {
    check(
      fc.property(message, numberMutation, (m, mutation) => {
        const decoded = decodesOrRefuses(frame(Buffer.from(mutateNumber(JSON.stringify(m), mutation)), m.t));
        if (decoded instanceof DecodeError) return;
        // A node relays what it accepted: the re-encoding must be accepted too. Headers, blocks and
        // transactions are opaque here (their own rules bound their numbers); every other field must survive exactly.
        const again = decodeMessage(encode(decoded));
        // (Compared as JSON text: -0 and 0 are the same number on the wire.)
        if (!['headers', 'blocks', 'txs'].includes(decoded.t)) expect(JSON.stringify(again)).toBe(JSON.stringify(decoded));
      }),
      1000,
    );
  });

  it('refuses a hello whose height is 1e999 (Infinity after JSON.parse)', () => {
    const hello = encodeHandshake({
      t: 'hello',
      version: 1,
      chainId: 'a'.repeat(64),
      tip: 'b'.repeat(64),
      height: 1,
      work: '1',
      nonce: 'c'.repeat(32),
    });
    expect(decodesOrRefuses(Buffer.from(hello.toString().replace('"height":1', '"height":1e999')))).toMatchObject({ code: 'MSG_INVALID' });
  });

  it('refuses a message over the size bound before parsing it', () => {
    const big = Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0x20);
    expect(decodesOrRefuses(encodeSession(SESSION_TOKEN, big))).toMatchObject({ code: 'MSG_TOO_LARGE' });
  });

  it('refuses every message type nested past the depth bound, arrays and objects, before anything walks it', () => {
    const types = [
      'hello',
      'challenge',
      'probe',
      'hello-ack',
      'status',
      'inv',
      'getheaders',
      'headers',
      'getblocks',
      'blocks',
      'gettxs',
      'txs',
      'getpeers',
      'peers',
    ];
    check(
      fc.property(fc.constantFrom(...types), fc.integer({ min: 33, max: 20_000 }), fc.boolean(), (t, depth, objects) => {
        const open = objects ? '{"a":' : '[';
        const close = objects ? '}' : ']';
        const body = Buffer.from(`{"t":"${t}","x":${open.repeat(depth)}1${close.repeat(depth)}}`);
        expect(decodesOrRefuses(frame(body, t))).toMatchObject({ code: 'MSG_TOO_DEEP' });
      }),
      300,
    );
  });
});
