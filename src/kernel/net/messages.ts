import { Ajv } from 'ajv';
import secureJson from 'secure-json-parse';

/** Bumped on any incompatible change; a peer speaking another version is dropped at hello. */
export const PROTOCOL_VERSION = 1;
/** No message grows with chain length: pages and lists are bounded below this. */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
export const MAX_HEADERS = 2000;
export const MAX_BLOCKS_PER_PAGE = 500;
export const MAX_INV = 1000;
export const MAX_PEERS_SHARED = 100;

const hex64 = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
// JSON's 1e999 parses to Infinity, which Ajv counts as an integer: the upper bound keeps counts finite and re-encodable.
const count = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const hashList = (max: number) => ({ type: 'array', maxItems: max, items: hex64 }) as const;
const address = {
  type: 'object',
  additionalProperties: false,
  required: ['host', 'port'],
  properties: { host: { type: 'string', minLength: 1, maxLength: 255 }, port: { type: 'integer', minimum: 1, maximum: 65535 } },
} as const;
const hello = {
  type: 'object',
  additionalProperties: false,
  required: ['t', 'version', 'chainId', 'tip', 'height', 'work'],
  properties: {
    t: { enum: ['hello', 'hello-ack'] },
    version: count,
    chainId: hex64,
    tip: hex64,
    height: count,
    work: { type: 'string', pattern: '^[0-9a-f]{1,80}$' },
  },
} as const;

// Bodies, headers and transactions are validated by the chain's own pipeline; here only
// their count is bounded, so a malformed block is judged (and scored) by the same code that
// judges blocks from anywhere.
const schemas = {
  hello,
  'hello-ack': hello,
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
  probe: {
    type: 'object',
    additionalProperties: false,
    required: ['t', 'token'],
    properties: { t: { const: 'probe' }, token: { type: 'string', pattern: '^[0-9a-f]{32}$' } },
  },
  peers: {
    type: 'object',
    additionalProperties: false,
    required: ['t', 'peers'],
    properties: { t: { const: 'peers' }, peers: { type: 'array', maxItems: MAX_PEERS_SHARED, items: address } },
  },
} as const;

export type MessageType = keyof typeof schemas;

export interface Hello {
  t: 'hello' | 'hello-ack';
  version: number;
  chainId: string;
  tip: string;
  height: number;
  work: string;
}

export type Message =
  | Hello
  | { t: 'inv'; blocks?: string[]; txs?: string[] }
  | { t: 'getheaders'; locator: string[]; limit?: number }
  | { t: 'headers'; headers: unknown[] }
  | { t: 'getblocks'; hashes: string[]; req?: number }
  | { t: 'blocks'; blocks: unknown[]; missing?: string[]; req?: number }
  | { t: 'gettxs'; ids: string[] }
  | { t: 'txs'; txs: unknown[] }
  | { t: 'getpeers' }
  /** A tracker checks that a registered address receives: it sends this, the node's discovery echoes the token to it. */
  | { t: 'probe'; token: string }
  | { t: 'peers'; peers: Array<{ host: string; port: number }> };

const ajv = new Ajv({ strict: false, allErrors: false });
const validators = new Map(Object.entries(schemas).map(([t, schema]) => [t, ajv.compile(schema)]));

export class DecodeError extends Error {
  constructor(
    readonly code: 'MSG_TOO_LARGE' | 'MSG_NOT_JSON' | 'MSG_UNKNOWN_TYPE' | 'MSG_INVALID',
    message: string,
  ) {
    super(message);
  }
}

/** Bound, parse without prototype keys, validate with one compiled schema per type. */
export function decodeMessage(bytes: Buffer): Message {
  if (bytes.length > MAX_MESSAGE_BYTES)
    throw new DecodeError('MSG_TOO_LARGE', `message of ${bytes.length} bytes exceeds ${MAX_MESSAGE_BYTES}`);
  let value: unknown;
  try {
    value = secureJson.parse(bytes.toString('utf8'), undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch {
    throw new DecodeError('MSG_NOT_JSON', 'message is not valid JSON');
  }
  const type = (value as { t?: unknown } | null)?.t;
  const validate = typeof type === 'string' ? validators.get(type) : undefined;
  if (!validate) throw new DecodeError('MSG_UNKNOWN_TYPE', `unknown message type ${JSON.stringify(type)?.slice(0, 40)}`);
  if (!validate(value)) {
    const e = validate.errors![0]!;
    throw new DecodeError('MSG_INVALID', `${String(type)} ${e.instancePath} ${e.message ?? 'is invalid'}`);
  }
  return value as Message;
}

export function encodeMessage(message: Message): Buffer {
  return Buffer.from(JSON.stringify(message), 'utf8');
}
