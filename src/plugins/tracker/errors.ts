import { CairnError } from '../../kernel/index.js';

/** The tracker server could not start (address in use, bad options). */
export class TrackerError extends CairnError {}
