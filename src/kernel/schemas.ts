import type { Ajv, ValidateFunction } from 'ajv';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

/**
 * The wire shapes every layer agrees on, written once. Each schema is the source of its type
 * (`FromSchema`), so what a validator lets through and what the code reads cannot drift apart.
 */

/** 32 bytes in lowercase hex: hashes, targets, chain ids, and Ed25519 public keys too. */
export const HASH_PATTERN = '^[0-9a-f]{64}$';
/** `HASH_PATTERN` for checks outside a schema. */
export const HASH_RE = new RegExp(HASH_PATTERN);
export const HASH_SCHEMA = { type: 'string', pattern: HASH_PATTERN } as const;
/** A public key has a hash's shape; the name says which one a field holds. */
export const PUBLIC_KEY_SCHEMA = HASH_SCHEMA;
/** An Ed25519 signature: 64 bytes in lowercase hex. */
export const SIGNATURE_SCHEMA = { type: 'string', pattern: '^[0-9a-f]{128}$' } as const;

const uint = (max: number) => ({ type: 'integer', minimum: 0, maximum: max }) as const;

/**
 * A header as JSON, within the bounds of its binary encoding (u16 version, u32 height): a
 * larger value would make headerHash throw a RangeError instead of the sender being blamed.
 * All hashes and the target are 64 lowercase hex chars; `time` is Unix milliseconds.
 */
export const HEADER_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'height', 'prev', 'txRoot', 'time', 'target', 'nonce'],
  properties: {
    version: uint(0xffff),
    height: uint(0xffff_ffff),
    prev: HASH_SCHEMA,
    txRoot: HASH_SCHEMA,
    time: uint(Number.MAX_SAFE_INTEGER),
    target: HASH_SCHEMA,
    nonce: uint(Number.MAX_SAFE_INTEGER),
  },
} as const;

export type BlockHeader = FromSchema<typeof HEADER_SCHEMA>;

/**
 * A transaction envelope. `from` is the signer's raw Ed25519 public key, `sig` its signature
 * over `signingBytes`, which include the chain id so a transaction cannot be replayed on
 * another chain. Extra fields are refused, not stripped: the signature covers what was sent,
 * and a silently changed envelope would be another one.
 */
export const TX_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['app', 'type', 'payload', 'from', 'nonce', 'sig'],
  properties: {
    app: { type: 'string', minLength: 1, maxLength: 64 },
    type: { type: 'string', minLength: 1, maxLength: 64 },
    payload: {},
    from: PUBLIC_KEY_SCHEMA,
    nonce: uint(Number.MAX_SAFE_INTEGER),
    sig: SIGNATURE_SCHEMA,
  },
} as const;

export type Tx = FromSchema<typeof TX_SCHEMA>;

/**
 * Compiles `schema` into a guard for the type derived from it: a value that passes is that
 * type, with no cast in between.
 */
export function compileGuard<const S extends JSONSchema>(ajv: Ajv, schema: S): ValidateFunction<FromSchema<S>>;
// The one place a schema meets its type: ajv checks exactly `schema`, so the guard's claim holds.
export function compileGuard(ajv: Ajv, schema: JSONSchema): ValidateFunction {
  return ajv.compile(schema as object);
}

/** One member per schema of a family whose members are told apart by a field (`t`, `type`). */
export type FromSchemas<Family extends Record<string, JSONSchema>> = { [K in keyof Family]: FromSchema<Family[K]> }[keyof Family];

/**
 * A guard per schema of a family, by name. Each admits one member of the family's union, so
 * each is a guard for the union.
 */
export function compileGuards<Family extends Record<string, JSONSchema>>(
  ajv: Ajv,
  family: Family,
): Map<string, ValidateFunction<FromSchemas<Family>>>;
export function compileGuards(ajv: Ajv, family: Record<string, JSONSchema>): Map<string, ValidateFunction> {
  return new Map(Object.entries(family).map(([name, schema]) => [name, ajv.compile(schema as object)]));
}
