import { sha256hex, ZERO_HASH } from './hash.js';
import type { BlockHeader } from './schemas.js';
import type { Tx } from './tx/index.js';

export const BLOCK_VERSION = 1;

/** The header's type comes from its schema (`HEADER_SCHEMA`). */
export type { BlockHeader };

export interface Block {
  header: BlockHeader;
  txs: Tx[];
}

/**
 * Byte layout of a header: version u16 | height u32 | prev 32 | txRoot 32 | time u64 |
 * target 32 | nonce u64 = 118 bytes. Kept under 119 bytes so SHA-256 needs two compression
 * rounds, like a 64-byte message (openssl's reference rate); the nonce is last so a miner
 * rewrites only the final 8 bytes.
 */
export const HEADER_BYTES = 118;
export const NONCE_OFFSET = 110;

export function encodeHeader(h: BlockHeader, out: Buffer = Buffer.alloc(HEADER_BYTES)): Buffer {
  out.writeUInt16BE(h.version, 0);
  out.writeUInt32BE(h.height, 2);
  out.write(h.prev, 6, 32, 'hex');
  out.write(h.txRoot, 38, 32, 'hex');
  writeU64(out, h.time, 70);
  out.write(h.target, 78, 32, 'hex');
  writeU64(out, h.nonce, NONCE_OFFSET);
  return out;
}

/** Nonces and times are safe integers (< 2^53); split into two u32 words. */
export function writeU64(buf: Buffer, value: number, offset: number): void {
  buf.writeUInt32BE(Math.floor(value / 0x1_0000_0000), offset);
  buf.writeUInt32BE(value >>> 0, offset + 4);
}

export function headerHash(h: BlockHeader): string {
  return sha256hex(encodeHeader(h));
}

/**
 * Merkle root over transaction ids (hex), pairing by concatenated hex; an odd last node is
 * hashed with itself, as in Bitcoin. The empty list has the zero root.
 */
export function merkleRoot(ids: readonly string[]): string {
  if (ids.length === 0) return ZERO_HASH;
  let level = ids.slice();
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(sha256hex(level[i]! + (level[i + 1] ?? level[i]!)));
    }
    level = next;
  }
  return level[0]!;
}
