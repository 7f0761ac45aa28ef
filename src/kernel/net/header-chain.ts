import { Ajv } from 'ajv';
import { headerHash, type BlockHeader } from '../block.js';
import { compileGuard, HEADER_SCHEMA } from '../schemas.js';
import type { Consensus } from '../services.js';

const validateHeader = compileGuard(new Ajv({ strict: false }), HEADER_SCHEMA);

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
    const header = item;
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
  return validateHeader(item) ? headerHash(item) : undefined;
}
