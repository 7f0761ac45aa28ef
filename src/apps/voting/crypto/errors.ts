import { CairnError } from '../../../kernel/index.js';

/** Stable codes of everything the election cryptography refuses. */
export type CryptoErrorCode =
  'POINT_INVALID' | 'POINT_IDENTITY' | 'SCALAR_INVALID' | 'PROOF_INVALID' | 'SHARE_INVALID' | 'THRESHOLD_UNMET' | 'TALLY_OUT_OF_RANGE';

/** Bad input to the election cryptography: an encoding, a proof, a share or a tally that does not check. */
export class CryptoError extends CairnError {
  declare readonly code: CryptoErrorCode;

  constructor(code: CryptoErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}
