import { ristretto255_hasher } from '@noble/curves/ed25519.js';
import { pointBytes, scalarBytes, type Point } from './group.js';

const encoder = new TextEncoder();

/** The prefix of every domain-separation tag; the version changes with any encoding. */
export const DST_PREFIX = 'cairn-voting-v1/';

/**
 * A Fiat-Shamir transcript. Each item is appended as a 4-byte big-endian length and its bytes:
 * text as UTF-8, a point as its 32-byte encoding, a scalar as 32 little-endian bytes, an
 * integer as 4 big-endian bytes. The challenge is RFC 9380's expand_message_xmd with SHA-512,
 * DST `cairn-voting-v1/<purpose>`, 64 bytes out, read little-endian and reduced mod ℓ (the
 * HashToScalar of RFC 9497 for ristretto255), so any implementation can recompute it.
 */
export class Transcript {
  private readonly parts: Uint8Array[] = [];

  constructor(readonly purpose: string) {}

  text(value: string): this {
    return this.push(encoder.encode(value));
  }

  point(p: Point): this {
    return this.push(pointBytes(p));
  }

  points(ps: readonly Point[]): this {
    for (const p of ps) this.point(p);
    return this;
  }

  scalar(s: bigint): this {
    return this.push(scalarBytes(s));
  }

  /** Bytes as they are, e.g. a point or scalar exactly as posted. */
  raw(bytes: Uint8Array): this {
    return this.push(bytes);
  }

  int(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`transcript integer out of range: ${n}`);
    return this.push(Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff));
  }

  /** The bytes hashed: the concatenation of every length-prefixed item. */
  bytes(): Uint8Array {
    const total = this.parts.reduce((n, p) => n + p.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  challenge(): bigint {
    return ristretto255_hasher.hashToScalar(this.bytes(), { DST: DST_PREFIX + this.purpose });
  }

  private push(bytes: Uint8Array): this {
    const n = bytes.length;
    this.parts.push(Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff), bytes);
    return this;
  }
}

/**
 * What every proof of one election binds, so that no proof can be replayed elsewhere: the
 * chain, the election, and whoever the proof speaks for (a voter's or trustee's public key).
 */
export interface ProofContext {
  chainId: string;
  electionId: string;
  /** Hex public key (Ed25519, of the envelope) of the voter or trustee. */
  signer: string;
}

export function contextTranscript(purpose: string, ctx: ProofContext): Transcript {
  return new Transcript(purpose).text(ctx.chainId).text(ctx.electionId).text(ctx.signer);
}
