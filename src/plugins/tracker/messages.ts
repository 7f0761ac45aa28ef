import { Ajv } from 'ajv';
import { isIP } from 'node:net';
import secureJson from 'secure-json-parse';
import type { PeerAddress } from '../../kernel/services.js';
import { encodeFrame } from './framing.js';

/** Bumped on any incompatible change; a tracker answers another version with VERSION_UNSUPPORTED. */
export const TRACKER_PROTOCOL_VERSION = 1;
export const DEFAULT_TRACKER_PORT = 60825;
/** A peer silent this long is evicted; clients heartbeat every third of it. */
export const DEFAULT_TTL_MS = 15_000;

/**
 * Members of one network. With hosts of at most 253 characters a full list stays under
 * 1 MiB (see `MAX_FRAME_BYTES`), so the bound is on people, not on bytes.
 */
export const MAX_NETWORK_PEERS = 3000;
export const MAX_HOST_LENGTH = 253;

export interface RegisterMessage {
  type: 'register';
  version: number;
  chainId: string;
  /** The peer's transport host; omitted (or unspecified, 0.0.0.0 / ::) means "the address you see me at". */
  host?: string;
  port: number;
}
export interface HeartbeatMessage {
  type: 'heartbeat';
}
export interface LeaveMessage {
  type: 'leave';
}
export interface PeersMessage {
  type: 'peers';
  chainId: string;
  peers: PeerAddress[];
  /** How often the tracker wants heartbeats, so clients follow the tracker's TTL, not their own guess. */
  heartbeatMs?: number;
}
export interface ErrorMessage {
  type: 'error';
  code: string;
  message: string;
}

export type ClientMessage = RegisterMessage | HeartbeatMessage | LeaveMessage;
/** The tracker echoes heartbeats, so a client can tell a live tracker from a silent one. */
export type ServerMessage = PeersMessage | ErrorMessage | HeartbeatMessage;
export type TrackerMessage = ClientMessage | ServerMessage;

const host = { type: 'string', minLength: 1, maxLength: MAX_HOST_LENGTH, pattern: '^[A-Za-z0-9_:][A-Za-z0-9._:%-]*$' } as const;
const port = { type: 'integer', minimum: 1, maximum: 65535 } as const;
const chainId = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;

const schema = {
  type: 'object',
  discriminator: { propertyName: 'type' },
  required: ['type'],
  properties: { type: { type: 'string' } },
  oneOf: [
    {
      additionalProperties: false,
      required: ['type', 'version', 'chainId', 'port'],
      properties: { type: { const: 'register' }, version: { type: 'integer', minimum: 0, maximum: 65535 }, chainId, host, port },
    },
    { additionalProperties: false, required: ['type'], properties: { type: { const: 'heartbeat' } } },
    { additionalProperties: false, required: ['type'], properties: { type: { const: 'leave' } } },
    {
      additionalProperties: false,
      required: ['type', 'chainId', 'peers'],
      properties: {
        type: { const: 'peers' },
        chainId,
        peers: {
          type: 'array',
          maxItems: MAX_NETWORK_PEERS,
          items: { type: 'object', additionalProperties: false, required: ['host', 'port'], properties: { host, port } },
        },
        heartbeatMs: { type: 'integer', minimum: 10, maximum: 3_600_000 },
      },
    },
    {
      additionalProperties: false,
      required: ['type', 'code', 'message'],
      properties: {
        type: { const: 'error' },
        code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{0,63}$' },
        message: { type: 'string', maxLength: 500 },
      },
    },
  ],
} as const;

// One validator for every message in both directions, compiled once; allErrors off so a
// hostile message costs one failed keyword, not a report.
const validate = new Ajv({ discriminator: true, allErrors: false, strict: true }).compile<TrackerMessage>(schema);
const utf8 = new TextDecoder('utf-8', { fatal: true });

export type DecodedMessage = { ok: true; message: TrackerMessage } | { ok: false; code: 'MESSAGE_MALFORMED'; reason: string };

/** Frame body → checked message. The body's size is already bounded by the frame decoder. */
export function decodeMessage(body: Uint8Array): DecodedMessage {
  let value: unknown;
  try {
    value = secureJson.parse(utf8.decode(body), undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch {
    return { ok: false, code: 'MESSAGE_MALFORMED', reason: 'the frame is not UTF-8 JSON' };
  }
  if (!validate(value)) {
    const first = validate.errors?.[0];
    return {
      ok: false,
      code: 'MESSAGE_MALFORMED',
      reason: `the message does not match the schema (${first?.instancePath || '/'} ${first?.message ?? 'is invalid'})`,
    };
  }
  return { ok: true, message: value };
}

export function encodeMessage(message: TrackerMessage): Buffer {
  return encodeFrame(Buffer.from(JSON.stringify(message), 'utf8'));
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$/;

/** An IP literal or a DNS name; no brackets, ports or paths. */
export function isValidHost(value: string): boolean {
  return isIP(value) !== 0 || (HOSTNAME.test(value) && !/^[0-9.]+$/.test(value));
}

/** 0.0.0.0 or ::: a bind address, not one a peer can be reached at. */
export function isUnspecifiedHost(value: string): boolean {
  return value === '0.0.0.0' || value === '::' || value === '0:0:0:0:0:0:0:0';
}

/**
 * A host other peers can send to: valid, not a bind-any address, not broadcast or multicast
 * (the UDP transport would fail or flood on those).
 */
export function isReachableHost(value: string): boolean {
  if (!isValidHost(value) || isUnspecifiedHost(value)) return false;
  const family = isIP(value);
  if (family === 4) {
    const first = Number(value.split('.')[0]);
    return value !== '255.255.255.255' && !(first >= 224 && first <= 239);
  }
  if (family === 6) return !/^ff/i.test(value);
  return true;
}

/** Socket addresses of IPv4 clients on a dual-stack server read `::ffff:1.2.3.4`. */
export function normalizeHost(value: string): string {
  const lower = value.toLowerCase();
  return lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower;
}

export function addressKey(address: PeerAddress): string {
  return `${normalizeHost(address.host)}|${address.port}`;
}

export function isValidPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}
