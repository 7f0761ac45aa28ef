import { Ajv, type ValidateFunction } from 'ajv';
import { compileGuards, HASH_SCHEMA, type FromSchemas } from '../schemas.js';
import { parseUntrustedJson, UntrustedJsonError } from '../untrusted-json.js';
import type { MessageRejectionCode } from '../verdicts.js';

/** Bumped on any incompatible change; a peer speaking another version is dropped at hello. */
export const PROTOCOL_VERSION = 2;
/** No message grows with chain length: pages and lists are bounded below this. */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
export const MAX_HEADERS = 2000;
export const MAX_BLOCKS_PER_PAGE = 500;
export const MAX_INV = 1000;
export const MAX_PEERS_SHARED = 100;
/**
 * `getblocks` of one peer a node serves at once; more are dropped unanswered, so a syncing node
 * keeps no more than this many pages in flight to one peer.
 */
export const MAX_SERVING_PER_PEER = 4;
/** Session tokens, handshake nonces and cookies: 16 bytes. */
export const TOKEN_BYTES = 16;

const token = { type: 'string', pattern: `^[0-9a-f]{${TOKEN_BYTES * 2}}$` } as const;
// JSON's 1e999 parses to Infinity, which Ajv counts as an integer: the upper bound keeps counts finite and re-encodable.
const count = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const hashList = (max: number) => ({ type: 'array', maxItems: max, items: HASH_SCHEMA }) as const;
const address = {
  type: 'object',
  additionalProperties: false,
  required: ['host', 'port'],
  properties: { host: { type: 'string', minLength: 1, maxLength: 255 }, port: { type: 'integer', minimum: 1, maximum: 65535 } },
} as const;
/** What a node claims about its chain in hello, hello-ack and status. */
const helloFields = {
  version: count,
  chainId: HASH_SCHEMA,
  tip: HASH_SCHEMA,
  height: count,
  work: { type: 'string', pattern: '^[0-9a-f]{1,80}$' },
} as const;
const helloRequired = ['version', 'chainId', 'tip', 'height', 'work'] as const;

/**
 * Handshake messages travel bare (the frame is the JSON itself): they are what an unproven
 * source may send, and what is sent to one. Everything else travels in a session frame.
 */
const handshakeSchemas = {
  /**
   * First contact; with `cookie` (echoed from our challenge) it proves the sender receives at
   * its address. `nonce` is the sender's challenge: a reply that echoes it proves the replier
   * receives at the address the hello went to. `session` is the token the sender wants in every
   * session frame it receives from us.
   */
  hello: {
    type: 'object',
    additionalProperties: false,
    required: ['t', 'version', 'chainId', 'tip', 'height', 'work', 'nonce'],
    properties: { t: { const: 'hello' }, ...helloFields, nonce: token, cookie: token, session: token },
  },
  /** The answer to a hello from an unproven source: smaller than the hello, and all the state we keep is in the cookie. */
  challenge: {
    type: 'object',
    additionalProperties: false,
    required: ['t', 'cookie'],
    properties: { t: { const: 'challenge' }, cookie: token, echo: token },
  },
  /** A tracker checks that a registered address receives: it sends this, the node's discovery echoes the token to it. */
  probe: {
    type: 'object',
    additionalProperties: false,
    required: ['t', 'token'],
    properties: { t: { const: 'probe' }, token },
  },
} as const;

// Bodies, headers and transactions are validated by the chain's own pipeline; here only
// their count is bounded, so a malformed block is judged (and scored) by the same code that
// judges blocks from anywhere.
const sessionSchemas = {
  'hello-ack': {
    type: 'object',
    additionalProperties: false,
    required: ['t', ...helloRequired, 'session'],
    properties: { t: { const: 'hello-ack' }, ...helloFields, session: token },
  },
  /** Keepalive and tip announcement between proven peers. */
  status: {
    type: 'object',
    additionalProperties: false,
    required: ['t', ...helloRequired],
    properties: { t: { const: 'status' }, ...helloFields },
  },
  inv: {
    type: 'object',
    additionalProperties: false,
    required: ['t'],
    properties: { t: { const: 'inv' }, blocks: hashList(MAX_INV), txs: hashList(MAX_INV) },
  },
  getheaders: {
    type: 'object',
    additionalProperties: false,
    required: ['t', 'locator'],
    properties: { t: { const: 'getheaders' }, locator: hashList(64), limit: { type: 'integer', minimum: 1, maximum: MAX_HEADERS } },
  },
  headers: {
    type: 'object',
    additionalProperties: false,
    required: ['t', 'headers'],
    properties: { t: { const: 'headers' }, headers: { type: 'array', maxItems: MAX_HEADERS, items: { type: 'object' } } },
  },
  getblocks: {
    type: 'object',
    additionalProperties: false,
    required: ['t', 'hashes'],
    properties: { t: { const: 'getblocks' }, hashes: hashList(MAX_BLOCKS_PER_PAGE), req: count },
  },
  blocks: {
    type: 'object',
    additionalProperties: false,
    required: ['t', 'blocks'],
    properties: {
      t: { const: 'blocks' },
      blocks: { type: 'array', maxItems: MAX_BLOCKS_PER_PAGE, items: {} },
      missing: hashList(MAX_BLOCKS_PER_PAGE),
      req: count,
    },
  },
  gettxs: {
    type: 'object',
    additionalProperties: false,
    required: ['t', 'ids'],
    properties: { t: { const: 'gettxs' }, ids: hashList(MAX_INV) },
  },
  txs: {
    type: 'object',
    additionalProperties: false,
    required: ['t', 'txs'],
    properties: { t: { const: 'txs' }, txs: { type: 'array', maxItems: MAX_INV, items: {} } },
  },
  getpeers: { type: 'object', additionalProperties: false, required: ['t'], properties: { t: { const: 'getpeers' } } },
  peers: {
    type: 'object',
    additionalProperties: false,
    required: ['t', 'peers'],
    properties: { t: { const: 'peers' }, peers: { type: 'array', maxItems: MAX_PEERS_SHARED, items: address } },
  },
} as const;

export type HandshakeType = keyof typeof handshakeSchemas;
export type SessionType = keyof typeof sessionSchemas;
export type MessageType = HandshakeType | SessionType;

/**
 * Headers are judged by `checkHeaderRun`, which takes anything: their type here is as wide as
 * that, not the "objects" the schema bounds their count with.
 */
type JudgedLater<M> = M extends { t: 'headers' } ? Omit<M, 'headers'> & { headers: unknown[] } : M;

export type HandshakeMessage = FromSchemas<typeof handshakeSchemas>;
export type SessionMessage = JudgedLater<FromSchemas<typeof sessionSchemas>>;
export type Hello = Extract<HandshakeMessage, { t: 'hello' }>;
export type Message = HandshakeMessage | SessionMessage;

const ajv = new Ajv({ strict: false, allErrors: false });
// Typed by inference: an annotation would make TypeScript compare the derived unions again.
const handshakeValidators = compileGuards(ajv, handshakeSchemas);
const sessionValidators = compileGuards(ajv, sessionSchemas);

export class DecodeError extends Error {
  constructor(
    readonly code: Extract<MessageRejectionCode, `MSG_${string}`>,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A session frame is `0x01 | token (16 bytes) | JSON`; a handshake frame is the JSON alone
 * (it starts with `{`). The token is the one the receiver gave the sender, so a frame with the
 * right token proves its sender got the receiver's earlier message: a spoofed source address
 * cannot produce one, and is dropped before anything is parsed.
 */
export const SESSION_FRAME = 0x01;
const SESSION_HEADER = 1 + TOKEN_BYTES;

export type Frame = { kind: 'handshake'; body: Buffer } | { kind: 'session'; token: Buffer; body: Buffer } | { kind: 'unknown' };

export function readFrame(bytes: Buffer): Frame {
  if (bytes.length > SESSION_HEADER && bytes[0] === SESSION_FRAME)
    return { kind: 'session', token: bytes.subarray(1, SESSION_HEADER), body: bytes.subarray(SESSION_HEADER) };
  if (bytes.length > 0 && bytes[0] === 0x7b) return { kind: 'handshake', body: bytes };
  return { kind: 'unknown' };
}

function parse(body: Buffer): unknown {
  if (body.length > MAX_MESSAGE_BYTES)
    throw new DecodeError('MSG_TOO_LARGE', `message of ${body.length} bytes exceeds ${MAX_MESSAGE_BYTES}`);
  try {
    return parseUntrustedJson(body);
  } catch (err) {
    if (err instanceof UntrustedJsonError && err.code === 'JSON_TOO_DEEP') throw new DecodeError('MSG_TOO_DEEP', err.message);
    throw new DecodeError('MSG_NOT_JSON', 'message is not valid JSON');
  }
}

function check<T>(value: unknown, validators: Map<string, ValidateFunction<T>>): T {
  const type = (value as { t?: unknown } | null)?.t;
  const validate = typeof type === 'string' ? validators.get(type) : undefined;
  if (!validate) throw new DecodeError('MSG_UNKNOWN_TYPE', `unknown message type ${JSON.stringify(type)?.slice(0, 40)}`);
  if (!validate(value)) {
    const e = validate.errors![0]!;
    throw new DecodeError('MSG_INVALID', `${String(type)} ${e.instancePath} ${e.message ?? 'is invalid'}`);
  }
  return value;
}

/** Bound, parse (depth-bounded, without prototype keys), validate with one compiled schema per type. */
export function decodeHandshake(body: Buffer): HandshakeMessage {
  return check(parse(body), handshakeValidators);
}

export function decodeSession(body: Buffer): SessionMessage {
  return check(parse(body), sessionValidators);
}

/** Either kind, for tools that look at whole frames (the faults plugin's hooks, tests). */
export function decodeMessage(bytes: Buffer): Message {
  const frame = readFrame(bytes);
  if (frame.kind === 'handshake') return decodeHandshake(frame.body);
  if (frame.kind === 'session') return decodeSession(frame.body);
  throw new DecodeError('MSG_NOT_JSON', 'not a cairn frame');
}

export function encodeHandshake(message: HandshakeMessage): Buffer {
  return Buffer.from(JSON.stringify(message), 'utf8');
}

/** A session frame around JSON bytes (or a message): `token` is the one the receiver gave us. */
export function encodeSession(token: Buffer, message: SessionMessage | Uint8Array): Buffer {
  const body = message instanceof Uint8Array ? message : Buffer.from(JSON.stringify(message), 'utf8');
  const out = Buffer.allocUnsafe(SESSION_HEADER + body.length);
  out[0] = SESSION_FRAME;
  token.copy(out, 1);
  out.set(body, SESSION_HEADER);
  return out;
}

/** Re-frames a decoded frame's message the way it came (the faults plugin rewrites messages in flight). */
export function reframe(original: Buffer, message: Message): Buffer {
  const frame = readFrame(original);
  if (frame.kind === 'session') return encodeSession(Buffer.from(frame.token), message as SessionMessage);
  return encodeHandshake(message as HandshakeMessage);
}

export function isHandshakeType(t: string): t is HandshakeType {
  return t in handshakeSchemas;
}
