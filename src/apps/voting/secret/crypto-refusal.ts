import { CryptoError } from '../crypto/errors.js';
import { rejection, type VotingRejectionCode } from '../errors.js';

/**
 * Runs a cryptographic check and turns its CryptoError into the app's refusal `code`, the
 * sentence prefixed with what was being checked. Anything else is not a verdict on the input
 * and passes through.
 */
export function refusedAs<T>(code: VotingRejectionCode, what: string, check: () => T, details?: Record<string, unknown>): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof CryptoError) throw rejection(code, `${what}: ${e.message}`, details);
    throw e;
  }
}
