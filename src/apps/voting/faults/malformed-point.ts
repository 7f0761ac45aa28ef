import { defineAppFault } from '../../../kernel/index.js';
import { secretCall } from '../calls.js';
import { CryptoError } from '../crypto/errors.js';
import { decodePoint } from '../crypto/group.js';
import type { BallotEncryptedPayload } from '../secret/schemas.js';
import { sealBallot } from '../secret/voter.js';
import { castBadBallots, parseElectionArg } from './secret-ballot-faults.js';

const hexByte = (n: number) => n.toString(16).padStart(2, '0');

/**
 * 64 hex digits that are not the canonical encoding of any ristretto255 element, one of three
 * ways: the field element p itself (unreduced: the encoding of 0 is all zeros), a valid
 * encoding with its sign bit flipped (a negative s, which RFC 9496 refuses), or seeded bytes
 * that decode to no point. Each is checked to fail decoding, so the fault sends what it claims.
 */
export function nonCanonicalPoint(random: () => number, valid: string): string {
  const ways = [
    () => 'ed' + 'ff'.repeat(30) + '7f',
    () => hexByte(parseInt(valid.slice(0, 2), 16) ^ 1) + valid.slice(2),
    () => Array.from({ length: 32 }, (_, i) => hexByte(Math.floor(random() * 256) & (i === 0 ? 0xfe : i === 31 ? 0x7f : 0xff))).join(''),
  ];
  for (let tries = 0; tries < 16; tries++) {
    const hex = ways[Math.floor(random() * ways.length)]!();
    try {
      decodePoint(hex, 'point', true);
    } catch (e) {
      if (e instanceof CryptoError) return hex;
      throw e;
    }
  }
  return 'ff'.repeat(32);
}

export const malformedPoint = defineAppFault<string | undefined>({
  name: 'malformed-point',
  arg: 'ELECTION',
  summary:
    'Every 3 s a fresh voter sends every peer a sealed ballot with one ciphertext point replaced by bytes that are no canonical ristretto255 encoding (default: the first open secret election with its key; with none, it opens and runs one of its own).',
  honestReaction:
    'Decodes every point strictly before any proof and refuses the ballot (BALLOT_MALFORMED, 2 points: an app rule, so no ban).',
  codes: ['BALLOT_MALFORMED'],
  bans: false,
  parse: parseElectionArg,
  install(ctx, electionId) {
    castBadBallots(ctx, {
      electionId,
      label: 'malformed',
      forge(target) {
        const voter = ctx.newKey();
        const payload: BallotEncryptedPayload = sealBallot(
          ctx.chainId,
          target,
          voter.publicKey,
          target.choices.slice(0, target.min || 1),
        ).payload;
        const selection = payload.ballot.selections[Math.floor(ctx.random() * payload.ballot.selections.length)]!;
        const side = ctx.random() < 0.5 ? 'a' : 'b';
        selection[side] = nonCanonicalPoint(ctx.random, selection[side]);
        return [voter.sign(secretCall({ type: 'ballot.encrypted', payload }))];
      },
    });
  },
});
