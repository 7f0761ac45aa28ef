import { ConfigError, parseUntrustedJson, UntrustedJsonError } from '../../kernel/index.js';
import { closest, isPlausible } from '../closest.js';

/** How one payload property is typed on the command line, from its JSON Schema. */
export type FlagKind =
  | { kind: 'string' }
  | { kind: 'number'; integer: boolean }
  | { kind: 'boolean' }
  | { kind: 'enum'; values: readonly unknown[] }
  | { kind: 'array'; items: Exclude<FlagKind, { kind: 'array' }> }
  | { kind: 'json' };

export interface PayloadFlag {
  /** The payload property, also the flag's name (`--NAME`). */
  property: string;
  kind: FlagKind;
  required: boolean;
  description?: string;
}

/** What a transaction type's schema gives the command line. */
export interface PayloadFlags {
  flags: PayloadFlag[];
  /** Properties that are not flags (their name is one of cairn's own flags, or not a flag name): `--payload` only. */
  payloadOnly: string[];
}

type Schema = Record<string, unknown>;

/** A property name a person can type as `--NAME`. */
const FLAG_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function scalarKind(schema: unknown): Exclude<FlagKind, { kind: 'array' }> {
  if (!isSchema(schema)) return { kind: 'json' };
  if (Array.isArray(schema.enum)) return { kind: 'enum', values: schema.enum };
  if ('const' in schema) return { kind: 'enum', values: [schema.const] };
  switch (schema.type) {
    case 'string':
      return { kind: 'string' };
    case 'integer':
    case 'number':
      return { kind: 'number', integer: schema.type === 'integer' };
    case 'boolean':
      return { kind: 'boolean' };
    default:
      return { kind: 'json' };
  }
}

function kindOf(schema: unknown): FlagKind {
  if (isSchema(schema) && schema.type === 'array' && !Array.isArray(schema.enum)) {
    const items = scalarKind(schema.items);
    // A list of lists or of objects is one JSON value, not a repeated flag.
    return items.kind === 'json' || items.kind === 'boolean' ? { kind: 'json' } : { kind: 'array', items };
  }
  return scalarKind(schema);
}

/** The payload flags of a transaction type; `reserved` are cairn's own flag names, which a property cannot take. */
export function payloadFlags(schema: unknown, reserved: ReadonlySet<string>): PayloadFlags {
  const properties = isSchema(schema) && isSchema(schema.properties) ? schema.properties : {};
  const required = new Set(isSchema(schema) && Array.isArray(schema.required) ? schema.required.map(String) : []);
  const flags: PayloadFlag[] = [];
  const payloadOnly: string[] = [];
  for (const [property, sub] of Object.entries(properties)) {
    if (!FLAG_NAME.test(property) || reserved.has(property) || property.startsWith('no-')) {
      payloadOnly.push(property);
      continue;
    }
    const description = isSchema(sub) && typeof sub.description === 'string' ? sub.description : undefined;
    flags.push({ property, kind: kindOf(sub), required: required.has(property), ...(description ? { description } : {}) });
  }
  return { flags, payloadOnly };
}

/** `--title TEXT`, `[--draft]`, `--level low|mid`, `[--tag TEXT]...`: how a listing shows one flag. */
export function usageOf(flag: PayloadFlag): string {
  const value = valueHint(flag.kind);
  let text = flag.kind.kind === 'boolean' ? `--${flag.property}` : `--${flag.property} ${value}`;
  if (flag.kind.kind === 'array') text += ' ...';
  return flag.required ? text : `[${text}]`;
}

function valueHint(kind: FlagKind): string {
  switch (kind.kind) {
    case 'string':
      return 'TEXT';
    case 'number':
      return kind.integer ? 'INTEGER' : 'NUMBER';
    case 'boolean':
      return '';
    case 'enum':
      return kind.values.map(String).join('|');
    case 'array':
      return valueHint(kind.items);
    case 'json':
      return 'JSON';
  }
}

/** Reads one value of a flag from its text, or says in one sentence what the flag expects. */
function parseValue(flag: string, kind: Exclude<FlagKind, { kind: 'array' }>, text: string): unknown {
  switch (kind.kind) {
    case 'string':
      return text;
    case 'number': {
      const value = Number(text);
      const ok = kind.integer ? /^-?\d+$/.test(text.trim()) && Number.isSafeInteger(value) : text.trim() !== '' && Number.isFinite(value);
      if (!ok) throw new ConfigError('TX_FLAG_INVALID', `--${flag} expects ${kind.integer ? 'a whole number' : 'a number'}, not '${text}'`);
      return value;
    }
    case 'boolean':
      if (text === 'true' || text === 'false') return text === 'true';
      throw new ConfigError('TX_FLAG_INVALID', `--${flag} is true or false (--${flag} or --no-${flag}), not '${text}'`);
    case 'enum': {
      const index = kind.values.findIndex((allowed) => String(allowed) === text);
      if (index < 0)
        throw new ConfigError('TX_FLAG_INVALID', `--${flag} must be one of ${kind.values.map(String).join(', ')}, not '${text}'`);
      return kind.values[index];
    }
    case 'json':
      return payloadJson(text, `--${flag}`, `JSON (e.g. --${flag} '{"a":1}')`);
  }
}

export interface ParseContext {
  /** `cairn tx notes post`, for sentences. */
  command: string;
  /** cairn's own flags, for "did you mean" (`--key`, `--wait`...). */
  ownFlags: readonly string[];
  /** The `--payload` JSON object, if given: flags add to it and replace its properties. */
  base?: Record<string, unknown>;
}

/**
 * The payload from the words after `APP TYPE`: `--NAME VALUE` or `--NAME=VALUE`, `--NAME` and
 * `--no-NAME` for booleans, an array property's flag once per item. Any word that is no flag's
 * value is refused, so nothing here can stand in for APP or TYPE.
 */
export function parsePayload(words: readonly string[], spec: PayloadFlags, context: ParseContext): Record<string, unknown> {
  const byName = new Map(spec.flags.map((flag) => [flag.property, flag]));
  const payload: Record<string, unknown> = { ...context.base };
  const given = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!word.startsWith('--') || word === '--') {
      throw new ConfigError(
        'TX_ARG_UNEXPECTED',
        `\`${context.command}\` takes its payload as flags, so '${word}' is unexpected: give APP and TYPE first, then --NAME VALUE`,
      );
    }
    const eq = word.indexOf('=');
    let name = word.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : word.slice(eq + 1);
    let negated = false;
    if (!byName.has(name) && name.startsWith('no-') && byName.get(name.slice(3))?.kind.kind === 'boolean') {
      name = name.slice(3);
      negated = true;
    }
    const flag = byName.get(name);
    if (!flag) throw unknownFlag(name, spec, context);
    const { kind } = flag;
    const again = given.has(name);
    if (again && kind.kind !== 'array') throw new ConfigError('TX_FLAG_INVALID', `--${name} was given twice: it takes one value`);
    given.add(name);
    if (kind.kind === 'boolean') {
      if (negated && inline !== undefined) throw new ConfigError('TX_FLAG_INVALID', `--no-${name} takes no value`);
      payload[name] = negated ? false : inline === undefined ? true : parseValue(name, kind, inline);
      continue;
    }
    let text = inline;
    if (text === undefined) {
      const next = words[i + 1];
      if (next === undefined || next.startsWith('--'))
        throw new ConfigError('TX_FLAG_INVALID', `--${name} expects a value (${valueHint(kind)})`);
      text = next;
      i++;
    }
    if (kind.kind === 'array') {
      // The first item replaces what --payload had there; the next ones add to it.
      payload[name] = [...(again ? (payload[name] as unknown[]) : []), parseValue(name, kind.items, text)];
    } else {
      payload[name] = parseValue(name, kind, text);
    }
  }
  const missing = spec.flags.filter((flag) => flag.required && !(flag.property in payload)).map((flag) => `--${flag.property}`);
  if (missing.length > 0) {
    const them = missing.length === 1 ? 'it' : 'them';
    throw new ConfigError('TX_FLAG_MISSING', `\`${context.command}\` needs ${listed(missing)}: give ${them} (or the whole --payload JSON)`);
  }
  return payload;
}

function unknownFlag(name: string, spec: PayloadFlags, context: ParseContext): ConfigError {
  const known = [...spec.flags.map((flag) => `--${flag.property}`), ...context.ownFlags];
  const typed = `--${name}`;
  const guess = closest(typed, known);
  const hint = guess && isPlausible(typed, guess) ? `; did you mean ${guess.value}?` : '.';
  return new ConfigError(
    'TX_FLAG_UNKNOWN',
    `\`${context.command}\` has no flag ${typed}${hint} \`${context.command.replace(/ \S+$/, '')}\` lists its transaction types and flags.`,
  );
}

function listed(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * A transaction nests at most 16 levels deep and its payload sits one level in: deeper JSON is
 * refused here, before anything walks it (a 60,000-deep array once overflowed the stack).
 */
export const MAX_PAYLOAD_DEPTH = 15;

/** JSON text from a flag, bounded before it is parsed; `expected` says what the flag takes. */
export function payloadJson(text: string, flag: string, expected: string): unknown {
  try {
    return parseUntrustedJson(text, MAX_PAYLOAD_DEPTH);
  } catch (err) {
    if (err instanceof UntrustedJsonError && err.code === 'JSON_TOO_DEEP')
      throw new ConfigError('TX_FLAG_INVALID', `${flag} nests deeper than ${MAX_PAYLOAD_DEPTH} levels, which no transaction may`);
    throw new ConfigError('TX_FLAG_INVALID', `${flag} expects ${expected}, not '${shortened(text)}'`);
  }
}

/** A typed value as a sentence quotes it: the first 80 characters at most. */
export function shortened(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
