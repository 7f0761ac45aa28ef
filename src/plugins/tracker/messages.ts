import { Ajv } from 'ajv';
import { isIP } from 'node:net';
import type { FromSchema } from 'json-schema-to-ts';
import type { PeerAddress } from '../../kernel/index.js';
import { compileGuard, HASH_SCHEMA, parseUntrustedJson, peerKey, UntrustedJsonError } from '../../kernel/index.js';
import { encodeFrame } from './framing.js';

/**
 * Bumped on any incompatible change; a tracker answers another version with VERSION_UNSUPPORTED.
 * 2: the address is the connection's source (no `host`), reachability probes, `reachable` flags.
 */
export const TRACKER_PROTOCOL_VERSION = 2;
/**
 * The deepest tracker message is a peer list (object, array, entry): 3 levels. Anything
 * nesting past this is refused before a parser or the schema walks it.
 */
export const MAX_MESSAGE_DEPTH = 8;
export const DEFAULT_TRACKER_PORT = 60825;
/** A peer silent this long is evicted; clients heartbeat every third of it. */
export const DEFAULT_TTL_MS = 15_000;

/**
 * Members of one network. With hosts of at most 253 characters a full list stays under
 * 1 MiB (see `MAX_FRAME_BYTES`), so the bound is on people, not on bytes.
 */
export const MAX_NETWORK_PEERS = 3000;
export const MAX_HOST_LENGTH = 253;

const host = { type: 'string', minLength: 1, maxLength: MAX_HOST_LENGTH, pattern: '^[A-Za-z0-9_:][A-Za-z0-9._:%-]*$' } as const;
const port = { type: 'integer', minimum: 1, maximum: 65535 } as const;
const chainId = HASH_SCHEMA;
/** 16 random bytes in lowercase hex, as in the gossip `probe` message (src/kernel/net/messages.ts). */
export const PROBE_TOKEN = /^[0-9a-f]{32}$/;
const token = { type: 'string', pattern: PROBE_TOKEN.source } as const;

const schema = {
  type: 'object',
  discriminator: { propertyName: 'type' },
  required: ['type'],
  properties: { type: { type: 'string' } },
  oneOf: [
    /**
     * There is no host: a registration is listed under the address its connection comes from
     * (behind a NAT that is the NAT's public address, which is what others must dial). An
     * absent `transport` means `udp`, the default.
     */
    {
      additionalProperties: false,
      required: ['type', 'version', 'chainId', 'port'],
      properties: {
        type: { const: 'register' },
        version: { type: 'integer', minimum: 0, maximum: 65535 },
        chainId,
        port,
        transport: { enum: ['udp', 'tcp'] },
      },
    },
    /** The token of a reachability probe that arrived on the registered port, sent back over this connection. */
    { additionalProperties: false, required: ['type', 'token'], properties: { type: { const: 'echo' }, token } },
    /** The tracker echoes heartbeats, so a client can tell a live tracker from a silent one. */
    { additionalProperties: false, required: ['type'], properties: { type: { const: 'heartbeat' } } },
    { additionalProperties: false, required: ['type'], properties: { type: { const: 'leave' } } },
    /**
     * Members, reachable once their address answered a probe (members that did not can still
     * dial out), and how often the tracker wants heartbeats, so clients follow its TTL.
     */
    {
      additionalProperties: false,
      required: ['type', 'chainId', 'peers'],
      properties: {
        type: { const: 'peers' },
        chainId,
        peers: {
          type: 'array',
          maxItems: MAX_NETWORK_PEERS,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['host', 'port', 'reachable'],
            properties: { host, port, reachable: { type: 'boolean' } },
          },
        },
        heartbeatMs: { type: 'integer', minimum: 10, maximum: 3_600_000 },
      },
    },
    /** The tracker's view of the recipient's own registration: the address it is listed under and whether it was verified. */
    {
      additionalProperties: false,
      required: ['type', 'host', 'port', 'reachable'],
      properties: { type: { const: 'registered' }, host, port, reachable: { type: 'boolean' } },
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

export type TrackerMessage = FromSchema<typeof schema>;
type Of<T extends TrackerMessage['type']> = Extract<TrackerMessage, { type: T }>;
export type RegisterMessage = Of<'register'>;
export type EchoMessage = Of<'echo'>;
export type HeartbeatMessage = Of<'heartbeat'>;
export type LeaveMessage = Of<'leave'>;
export type PeersMessage = Of<'peers'>;
export type RegisteredMessage = Of<'registered'>;
export type ErrorMessage = Of<'error'>;
export type ListedPeer = PeersMessage['peers'][number];
/** Which transport a registered port belongs to: the tracker probes it over the same one. */
export type TransportKind = NonNullable<RegisterMessage['transport']>;

export type ClientMessage = RegisterMessage | HeartbeatMessage | LeaveMessage | EchoMessage;
export type ServerMessage = PeersMessage | RegisteredMessage | ErrorMessage | HeartbeatMessage;

// One validator for every message in both directions, compiled once; allErrors off so a
// hostile message costs one failed keyword, not a report.
const validate = compileGuard(new Ajv({ discriminator: true, allErrors: false, strict: true }), schema);
const utf8 = new TextDecoder('utf-8', { fatal: true });

export type DecodeFailureCode = 'MESSAGE_MALFORMED' | 'MESSAGE_TOO_DEEP' | 'VERSION_UNSUPPORTED';
export type DecodedMessage = { ok: true; message: TrackerMessage } | { ok: false; code: DecodeFailureCode; reason: string };

/**
 * Frame body → checked message, in both directions. The body's size is already bounded by the
 * frame decoder; its depth is bounded here, in one pass over the bytes, before anything parses
 * or walks it. Never throws.
 */
export function decodeMessage(body: Uint8Array): DecodedMessage {
  let value: unknown;
  try {
    utf8.decode(body);
    value = parseUntrustedJson(body, MAX_MESSAGE_DEPTH);
  } catch (err) {
    if (err instanceof UntrustedJsonError && err.code === 'JSON_TOO_DEEP')
      return { ok: false, code: 'MESSAGE_TOO_DEEP', reason: `the message nests deeper than ${MAX_MESSAGE_DEPTH} levels` };
    return { ok: false, code: 'MESSAGE_MALFORMED', reason: 'the frame is not UTF-8 JSON' };
  }
  // Before the schema: a client of another version gets told so, not that its message is malformed.
  const version = (value as { type?: unknown; version?: unknown } | null)?.version;
  if ((value as { type?: unknown } | null)?.type === 'register' && Number.isInteger(version) && version !== TRACKER_PROTOCOL_VERSION) {
    return {
      ok: false,
      code: 'VERSION_UNSUPPORTED',
      reason: `this tracker speaks protocol version ${TRACKER_PROTOCOL_VERSION}, not ${String(version)}`,
    };
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

/** The kernel's `peerKey` of the normalised address: one spelling of an address key everywhere. */
export function addressKey(address: PeerAddress): string {
  return peerKey({ host: normalizeHost(address.host), port: address.port });
}

export function isValidPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}
