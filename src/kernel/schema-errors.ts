import type { ErrorObject } from 'ajv';

/**
 * Turns a JSON Schema (ajv) error into one sentence a person can act on: it names the flag or
 * field and says what is accepted, never a regex or ajv's own wording ("must match pattern",
 * "must NOT have duplicate items (items ## 1 and 0 are identical)"). Config, genesis, app
 * payloads and the HTTP API all report through here, so one mistake reads the same everywhere.
 */
export interface SchemaErrorContext {
  /** The user's name for a field at `path` (`['choices', '1']`); defaults to `choices[1]`. */
  name?: (path: string[]) => string;
  /** The value that was validated: lets the sentence quote what was given. */
  data?: unknown;
  /** The root schema (`validate.schema`): lets a bound name the whole range, not one end. */
  schema?: unknown;
  /** Said of a property the schema does not allow. [default: 'is not a known field'] */
  unknown?: string;
}

/** What a pattern accepts, in words; a pattern without an entry is "not in the accepted form". */
const PATTERNS = new Map<string, string>([
  ['^[^\\s:]+:[0-9]{1,5}$', 'HOST:PORT, like 127.0.0.1:7070'],
  ['\\S', 'not blank'],
]);

/** Lets an app say in words what its own patterns accept. */
export function describePattern(pattern: string, accepted: string): void {
  PATTERNS.set(pattern, accepted);
}

/** The one wording of a port's range, for flags, config and addresses alike. */
export function portRange(min = 0): string {
  return `a port number from ${min} to 65535`;
}

/** `--port must be a port number from 0 to 65535, not 70000`. */
export function badPort(flag: string, value: unknown, min = 0): string {
  return `${flag} must be ${portRange(min)}, not ${String(value)}`;
}

export function dottedPath(path: string[]): string {
  return path.reduce((text, part) => (/^\d+$/.test(part) ? `${text}[${part}]` : text ? `${text}.${part}` : part), '');
}

export function describeSchemaError(error: ErrorObject, context: SchemaErrorContext = {}): string {
  const path = pointer(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const nameOf = context.name ?? ((p: string[]) => dottedPath(p) || 'the value');
  const name = nameOf(path);
  const value = at(context.data, path);
  const given = quoted(value);
  const not = given === undefined ? '' : `, not ${given}`;
  switch (error.keyword) {
    case 'required':
      return `${nameOf([...path, String(params.missingProperty)])} is required`;
    case 'additionalProperties':
      return `${nameOf([...path, String(params.additionalProperty)])} ${context.unknown ?? 'is not a known field'}`;
    case 'enum':
      return `${name} must be one of: ${(params.allowedValues as unknown[]).join(', ')}${not}`;
    case 'const':
      return `${name} must be ${quoted(params.allowedValue) ?? 'the one accepted value'}${not}`;
    case 'type':
      return `${name} must be ${typeWords(params.type)}${not}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${name} must be ${numberWords(path, fieldSchema(context.schema, error.schemaPath), error)}${not}`;
    case 'minLength':
      return params.limit === 1 ? `${name} must not be empty` : `${name} must be at least ${String(params.limit)} characters long`;
    case 'maxLength':
      return `${name} must be at most ${String(params.limit)} characters long`;
    case 'minItems':
      return `${name} must hold at least ${String(params.limit)} ${params.limit === 1 ? 'item' : 'items'}`;
    case 'maxItems':
      return `${name} must hold at most ${String(params.limit)} items`;
    case 'uniqueItems': {
      const repeated = quoted(at(value, [String(params.j)]));
      return `${name} must not repeat${repeated === undefined ? '' : `: ${repeated} is given twice`}`;
    }
    case 'pattern': {
      const accepted = PATTERNS.get(String(params.pattern)) ?? hexWords(String(params.pattern));
      if (accepted === 'not blank') return `${name} must not be blank`;
      return accepted ? `${name} must be ${accepted}${not}` : `${name} is not in the accepted form${not}`;
    }
    case 'anyOf':
    case 'oneOf':
      return `${name} does not have any of the accepted shapes`;
    default:
      return `${name} is invalid${not}`;
  }
}

function pointer(instancePath: string): string[] {
  return instancePath
    .split('/')
    .filter(Boolean)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function at(data: unknown, path: string[]): unknown {
  let node = data;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function quoted(value: unknown): string | undefined {
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return undefined;
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  null: 'null',
};

function typeWords(type: unknown): string {
  const types = Array.isArray(type) ? type : String(type).split(',');
  return types.map((t: string) => TYPE_WORDS[t] ?? t).join(' or ');
}

/** `#/properties/port/maximum` in the root schema: the schema of the field whose bound failed. */
function fieldSchema(root: unknown, schemaPath: string): Record<string, unknown> | undefined {
  if (root === undefined || !schemaPath.startsWith('#/')) return undefined;
  const node = at(root, pointer(schemaPath.slice(1)).slice(0, -1));
  return node !== null && typeof node === 'object' ? (node as Record<string, unknown>) : undefined;
}

/** The whole accepted range when the schema is known ("more than 0 and at most 3600"), else the failed end. */
function numberWords(path: string[], schema: Record<string, unknown> | undefined, error: ErrorObject): string {
  const bound = (error.params as { limit: number }).limit;
  const limits = schema ?? { [error.keyword]: bound };
  const kind = schema?.type === 'integer' ? 'a whole number' : 'a number';
  const low = limits.minimum as number | undefined;
  const exclusiveLow = limits.exclusiveMinimum as number | undefined;
  const high = limits.maximum as number | undefined;
  const exclusiveHigh = limits.exclusiveMaximum as number | undefined;
  if (/port$/i.test(path.at(-1) ?? '') && high === 65535 && (low === 0 || low === 1)) return portRange(low);
  if (low !== undefined && high !== undefined) return `${kind} from ${low} to ${high}`;
  const parts = [
    low !== undefined && `at least ${low}`,
    exclusiveLow !== undefined && `more than ${exclusiveLow}`,
    high !== undefined && `at most ${high}`,
    exclusiveHigh !== undefined && `less than ${exclusiveHigh}`,
  ].filter(Boolean);
  return `${kind} ${parts.join(' and ')}`;
}

/** `^[0-9a-f]{64}$` → "64 lowercase hex digits". */
function hexWords(pattern: string): string | undefined {
  const exact = /^\^\[0-9a-f\]\{(\d+)\}\$$/.exec(pattern);
  if (exact) return `${exact[1]} lowercase hex digits`;
  const range = /^\^\[0-9a-f\]\{(\d+),(\d+)\}\$$/.exec(pattern);
  return range ? `${range[1]} to ${range[2]} lowercase hex digits` : undefined;
}
