import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import type { EncryptedBallotJson } from '../crypto/ballot.js';
import { DST_PREFIX, Transcript } from '../crypto/transcript.js';

const hex = hexToBytes;

/**
 * A ballot's tracking code: SHA-256, in hex, over transcript items (each a 4-byte big-endian
 * length and its bytes): the text `cairn-voting-v1/tracking`, the chain id, the election id and
 * the voter's key as text, then for each selection its `a`, `b` and every `c`, `s` of its
 * proof, then every `c`, `s` of the count proof, each as the 32 bytes it was posted as. The
 * voter sees it before casting and finds it on the chain afterwards; it names one ballot only.
 * (Noble's SHA-256, not node:crypto, so the browser booth computes the same code.)
 */
export function trackingCode(chainId: string, electionId: string, voter: string, ballot: EncryptedBallotJson): string {
  const t = new Transcript('tracking').text(`${DST_PREFIX}tracking`).text(chainId).text(electionId).text(voter);
  for (const s of ballot.selections) {
    t.raw(hex(s.a)).raw(hex(s.b));
    for (const p of s.proof) t.raw(hex(p.c)).raw(hex(p.s));
  }
  for (const p of ballot.count) t.raw(hex(p.c)).raw(hex(p.s));
  return bytesToHex(sha256(t.bytes()));
}
