import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';

/**
 * Query strings and params are text and are coerced to the schema's types; a body is not:
 * a transaction is signed as sent, so a coerced or stripped field would make it another one.
 * Returns the body's (exact) validator, for checks a handler makes itself.
 */
export function useSchemaValidation(server: FastifyInstance): Ajv {
  const coercing = new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: false, allErrors: false, strict: false });
  const exact = new Ajv({ coerceTypes: false, useDefaults: false, removeAdditional: false, allErrors: false, strict: false });
  server.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? exact : coercing).compile(schema));
  return exact;
}
