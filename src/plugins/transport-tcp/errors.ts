import { CairnError } from '../../kernel/index.js';

/** A transport was used against its contract (too large a message, not started) or could not bind its address. */
export class TransportError extends CairnError {}
