import { CairnError } from '../../kernel/index.js';

/** Sealing could not complete: a miner process died, the nonce space ran out, or a header is unusable. */
export class SealError extends CairnError {}
