import { CairnError } from '../../kernel/index.js';

/**
 * An error of the node API: on the server, one that becomes an HTTP status and a JSON body;
 * on the client, the server's code and sentence (or a transport failure such as NODE_NOT_RUNNING).
 */
export class ApiError extends CairnError {
  constructor(
    code: string,
    message: string,
    /** The HTTP status it maps to (server) or came with (client); 0 when no answer came. */
    readonly status: number,
    details?: Record<string, unknown>,
  ) {
    super(code, message, details);
  }
}
