import { Ajv } from 'ajv';
import { headerHash, type BlockHeader } from '../block.js';
import type { Consensus } from '../services.js';

const hex64 = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
// The bounds of the binary header (u16 version, u32 height): a larger value passed here would make
// headerHash throw a RangeError instead of the peer being blamed for a bad header.
const uint = (max: number) => ({ type: 'integer', minimum: 0, maximum: max }) as const;
const validateHeader = new Ajv({ strict: false }).compile({
  type: 'object',
  additionalProperties: false,
  required: ['version', 'height', 'prev', 'txRoot', 'time', 'target', 'nonce'],
  properties: {
    version: uint(0xffff),
    height: uint(0xffff_ffff),
    prev: hex64,
    txRoot: hex64,
    time: uint(Number.MAX_SAFE_INTEGER),
    target: hex64,
    nonce: uint(Number.MAX_SAFE_INTEGER),
  },
});

export interface CheckedHeader {
  hash: string;
  header: BlockHeader;
  anchor: BlockHeader | undefined;
}

/**
 * Checks a run of headers before any body is fetched: shape, linkage, height, seal and the
 * required target. A peer cannot make us download bodies of a chain without its work.
 * Returns undefined (and the caller blames the peer) at the first bad header.
 */
export interface KnownHeader {
  header: BlockHeader;
  /** The height-1 header of its branch, if it is above height 1. */
  anchor: BlockHeader | undefined;
}

export function checkHeaderRun(
  raw: readonly unknown[],
  parentOf: (hash: string) => KnownHeader | undefined,
  consensus: Consensus,
): CheckedHeader[] | undefined {
  const out: CheckedHeader[] = [];
  let prev: BlockHeader | undefined;
  let prevHash: string | undefined;
  let anchor: BlockHeader | undefined;
  for (const item of raw) {
    if (!validateHeader(item)) return undefined;
    const header = item as unknown as BlockHeader;
    if (!prev) {
      const parent = parentOf(header.prev);
      if (!parent) return undefined;
      prev = parent.header;
      prevHash = header.prev;
      anchor = parent.anchor ?? (parent.header.height === 1 ? parent.header : undefined);
    }
    if (header.prev !== prevHash || header.height !== prev.height + 1) return undefined;
    if (header.target !== consensus.nextTarget(prev, anchor)) return undefined;
    const hash = headerHash(header);
    if (!consensus.checkSeal(header, hash)) return undefined;
    if (header.height === 1) anchor = header;
    out.push({ hash, header, anchor: header.height > 1 ? anchor : undefined });
    prev = header;
    prevHash = hash;
  }
  return out;
}

/** A header's hash if it is shaped like one, else undefined. */
export function hashIfHeader(item: unknown): string | undefined {
  return validateHeader(item) ? headerHash(item as unknown as BlockHeader) : undefined;
}
