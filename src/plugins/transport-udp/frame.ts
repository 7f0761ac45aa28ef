/**
 * The UDP datagram format. Every datagram starts with the same 8 bytes (magic, version, type,
 * reserved zero, message id); a DATA datagram carries one fragment of a message, a NACK lists
 * the fragments of one message its receiver is still missing. All integers are big-endian.
 *
 *   DATA  magic u8 | version u8 | type=1 u8 | 0 u8 | id u32 | total u32 | fragSize u16 | index u16 | count u16 | payload
 *   NACK  magic u8 | version u8 | type=2 u8 | 0 u8 | id u32 | n u16 | n x index u16
 */
export const MAGIC = 0xca;
export const VERSION = 1;
export const TYPE_DATA = 1;
export const TYPE_NACK = 2;
export const DATA_HEADER_BYTES = 18;
export const NACK_HEADER_BYTES = 10;
/** The largest UDP payload over IPv4 (65,535 - 8 UDP - 20 IP): a bigger datagram cannot be sent at all. */
export const MAX_DATAGRAM_BYTES = 65_507;
export const MAX_FRAGMENT_BYTES = MAX_DATAGRAM_BYTES - DATA_HEADER_BYTES;
export const MAX_FRAGMENTS = 0xffff;
/**
 * The smallest fragment of a multi-fragment message. It bounds the fragment count (8 MiB / 1 KiB
 * = 8,192) so a peer cannot make a receiver track tens of thousands of one-byte fragments.
 */
export const MIN_FRAGMENT_BYTES = 1024;
/** A NACK names at most this many fragments; more are asked for in the next round. */
export const MAX_NACK_INDICES = 4096;

export interface DataHeader {
  id: number;
  total: number;
  fragSize: number;
  index: number;
  count: number;
}

export type Datagram =
  | { kind: 'data'; header: DataHeader; payload: Buffer }
  | { kind: 'nack'; id: number; missing: number[] }
  | { kind: 'malformed'; reason: string };

/** Fragments a message of `total` bytes needs: an empty message still travels as one fragment. */
export function fragmentCount(total: number, fragSize: number): number {
  return Math.max(1, Math.ceil(total / fragSize));
}

export function encodeDataHeader(h: DataHeader): Buffer {
  const b = Buffer.allocUnsafe(DATA_HEADER_BYTES);
  b[0] = MAGIC;
  b[1] = VERSION;
  b[2] = TYPE_DATA;
  b[3] = 0;
  b.writeUInt32BE(h.id >>> 0, 4);
  b.writeUInt32BE(h.total, 8);
  b.writeUInt16BE(h.fragSize, 12);
  b.writeUInt16BE(h.index, 14);
  b.writeUInt16BE(h.count, 16);
  return b;
}

export function encodeNack(id: number, missing: readonly number[]): Buffer {
  const n = Math.min(missing.length, MAX_NACK_INDICES);
  const b = Buffer.allocUnsafe(NACK_HEADER_BYTES + 2 * n);
  b[0] = MAGIC;
  b[1] = VERSION;
  b[2] = TYPE_NACK;
  b[3] = 0;
  b.writeUInt32BE(id >>> 0, 4);
  b.writeUInt16BE(n, 8);
  for (let i = 0; i < n; i++) b.writeUInt16BE(missing[i]!, NACK_HEADER_BYTES + 2 * i);
  return b;
}

/**
 * Decodes one datagram of untrusted bytes. Never throws: anything that is not exactly a valid
 * DATA or NACK datagram within `maxMessageBytes` is `malformed` with a reason for the counters.
 * The payload is a view into `buf`, not a copy.
 */
export function decodeDatagram(buf: Uint8Array, maxMessageBytes: number): Datagram {
  if (buf.length < NACK_HEADER_BYTES) return { kind: 'malformed', reason: 'short' };
  if (buf[0] !== MAGIC) return { kind: 'malformed', reason: 'magic' };
  if (buf[1] !== VERSION) return { kind: 'malformed', reason: 'version' };
  if (buf[3] !== 0) return { kind: 'malformed', reason: 'reserved' };
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const id = view.readUInt32BE(4);
  if (buf[2] === TYPE_NACK) {
    const n = view.readUInt16BE(8);
    if (n === 0 || n > MAX_NACK_INDICES || buf.length !== NACK_HEADER_BYTES + 2 * n) return { kind: 'malformed', reason: 'nack-length' };
    const missing: number[] = [];
    for (let i = 0; i < n; i++) missing.push(view.readUInt16BE(NACK_HEADER_BYTES + 2 * i));
    return { kind: 'nack', id, missing };
  }
  if (buf[2] !== TYPE_DATA) return { kind: 'malformed', reason: 'type' };
  if (buf.length < DATA_HEADER_BYTES) return { kind: 'malformed', reason: 'short' };
  const total = view.readUInt32BE(8);
  const fragSize = view.readUInt16BE(12);
  const index = view.readUInt16BE(14);
  const count = view.readUInt16BE(16);
  if (total > maxMessageBytes) return { kind: 'malformed', reason: 'too-large' };
  if (fragSize === 0 || fragSize > MAX_FRAGMENT_BYTES) return { kind: 'malformed', reason: 'fragment-size' };
  if (count !== fragmentCount(total, fragSize)) return { kind: 'malformed', reason: 'count' };
  if (count > 1 && fragSize < MIN_FRAGMENT_BYTES) return { kind: 'malformed', reason: 'fragment-size' };
  if (index >= count) return { kind: 'malformed', reason: 'index' };
  const expected = Math.min(fragSize, total - index * fragSize);
  if (buf.length - DATA_HEADER_BYTES !== expected) return { kind: 'malformed', reason: 'payload-length' };
  return { kind: 'data', header: { id, total, fragSize, index, count }, payload: view.subarray(DATA_HEADER_BYTES) };
}
