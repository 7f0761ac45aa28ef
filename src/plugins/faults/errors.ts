import { CairnError } from '../../kernel/index.js';

/** A fault name or argument that cannot be used: FAULT_UNKNOWN, FAULT_BAD_ARG. */
export class FaultError extends CairnError {}
