import fc from 'fast-check';
import type { BlockHeader } from '../../src/kernel/block.js';
import type { Tx } from '../../src/kernel/tx/tx.js';

/** Lowercase hex of exactly `length` characters: hashes, targets, keys, signatures. */
export const hex = (length: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
export const hex64 = hex(64);

/**
 * Keys secure-json-parse refuses on purpose (prototype pollution); a valid value never holds
 * them, so generators of valid values leave them out.
 */
const POISON_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Any JSON value, normalized through JSON (so -0 is 0), free of prototype keys. */
export const json = (maxDepth = 3): fc.Arbitrary<unknown> =>
  fc
    .jsonValue({ maxDepth })
    .filter((v) => !hasPoisonKey(v))
    .map((v) => JSON.parse(JSON.stringify(v)) as unknown);

function hasPoisonKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasPoisonKey);
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([k, v]) => POISON_KEYS.has(k) || hasPoisonKey(v));
}

export const jsonObject = (maxDepth = 2): fc.Arbitrary<Record<string, unknown>> =>
  fc.dictionary(
    fc.string({ maxLength: 10 }).filter((k) => !POISON_KEYS.has(k)),
    json(maxDepth),
    { maxKeys: 5 },
  );

/**
 * Values that sit on the edges schemas and binary writers care about: just past u16, u32 and
 * safe-integer bounds, negatives, fractions, huge exponents, wrong types, long strings.
 */
export const edgyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    -1,
    0,
    0.5,
    1,
    0xffff,
    0x1_0000,
    0xffff_ffff,
    0x1_0000_0000,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 2,
    1e20,
    1e300,
    -1e300,
    '',
    '0'.repeat(64),
    'g'.repeat(64),
    'F'.repeat(64),
    'x'.repeat(300),
    '\u0000',
    '\ud800',
    null,
    true,
    [],
    {},
    [null],
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 20 }),
  json(2),
);

/** A valid header as the binary encoding accepts it: u16 version, u32 height, safe-integer time and nonce. */
export const header: fc.Arbitrary<BlockHeader> = fc.record({
  version: fc.integer({ min: 0, max: 0xffff }),
  height: fc.integer({ min: 0, max: 0xffff_ffff }),
  prev: hex64,
  txRoot: hex64,
  time: fc.maxSafeNat(),
  target: hex64,
  nonce: fc.maxSafeNat(),
});

/** A transaction envelope of valid shape (its signature is not meant to verify). */
export const envelope: fc.Arbitrary<Tx> = fc.record({
  app: fc.string({ minLength: 1, maxLength: 64 }),
  type: fc.string({ minLength: 1, maxLength: 64 }),
  payload: json(2),
  from: hex64,
  nonce: fc.maxSafeNat(),
  sig: hex(128),
});

// ---------------------------------------------------------------------------------------------
// Mutations of valid encodings

export type ByteMutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'append'; bytes: Uint8Array }
  | { kind: 'u32'; at: number; value: number };

export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  // A length or count field rewritten: u32 big-endian at any offset, often near its bounds.
  fc.record({
    kind: fc.constant('u32' as const),
    at: fc.nat(),
    value: fc.oneof(fc.nat({ max: 0xffff_ffff }), fc.constantFrom(0, 1, 0xffff, 0x1_0000, 0x10_0000, 0x10_0001, 0xffff_ffff)),
  }),
);

export const byteMutations = fc.array(byteMutation, { minLength: 1, maxLength: 4 });

/** Applies `mutations` to a copy of `input`; positions wrap around its current length. */
export function mutateBytes(input: Uint8Array, mutations: readonly ByteMutation[]): Buffer {
  let b = Buffer.from(input);
  const pos = (at: number, extra = 0): number => at % (b.length + extra || 1);
  for (const m of mutations) {
    switch (m.kind) {
      case 'truncate':
        b = b.subarray(0, pos(m.at));
        break;
      case 'flip':
        if (b.length) b[pos(m.at)]! ^= 1 << m.bit;
        break;
      case 'set':
        if (b.length) b[pos(m.at)] = m.value;
        break;
      case 'insert': {
        const at = pos(m.at, 1);
        b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
        break;
      }
      case 'delete': {
        const at = pos(m.at);
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.count)]);
        break;
      }
      case 'append':
        b = Buffer.concat([b, m.bytes]);
        break;
      case 'u32':
        if (b.length >= 4) {
          b = Buffer.from(b);
          b.writeUInt32BE(m.value, m.at % (b.length - 3));
        }
        break;
    }
  }
  return b;
}

export type JsonMutation =
  | { kind: 'replace'; slot: number; value: unknown }
  | { kind: 'delete'; slot: number }
  | { kind: 'add'; slot: number; key: string; value: unknown };

export const jsonMutation: fc.Arbitrary<JsonMutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('replace' as const), slot: fc.nat(), value: edgyValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), slot: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      slot: fc.nat(),
      key: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 't', 'type', 'header', 'txs')),
      value: edgyValue,
    }),
  },
);

export const jsonMutations = fc.array(jsonMutation, { minLength: 1, maxLength: 3 });

type Container = Record<string, unknown> | unknown[];

/** Every container in `root` (itself included), with each of its keys: the places a mutation can land. */
function slots(root: unknown): Array<{ parent: Container; key: string | number }> {
  const out: Array<{ parent: Container; key: string | number }> = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach((v, i) => {
        out.push({ parent: node, key: i });
        walk(v);
      });
    } else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        out.push({ parent: node as Record<string, unknown>, key: k });
        walk(v);
      }
    }
  };
  walk(root);
  return out;
}

/**
 * Applies structural mutations to a deep copy of a JSON value: a field replaced by an edge
 * value, removed, or a field added. `__proto__` is added as an own key, as JSON.parse would.
 */
export function mutateJson(value: unknown, mutations: readonly JsonMutation[]): unknown {
  let root = structuredClone(value);
  for (const m of mutations) {
    const all = slots(root);
    if (m.kind === 'add') {
      const containers = all.map((s) => s.parent).filter((p) => !Array.isArray(p));
      const target = containers.length ? containers[m.slot % containers.length]! : root;
      if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
        defineOwn(target as Container, m.key, m.value);
      } else {
        root = structuredClone(m.value);
      }
      continue;
    }
    if (!all.length) {
      if (m.kind === 'replace') root = structuredClone(m.value);
      continue;
    }
    const { parent, key } = all[m.slot % all.length]!;
    if (m.kind === 'replace') defineOwn(parent, key, m.value);
    else if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  }
  return root;
}

/** Sets an own data property even for `__proto__`, as JSON.parse would, instead of invoking the prototype setter. */
function defineOwn(target: Container, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value: structuredClone(value), enumerable: true, writable: true, configurable: true });
}

/** JSON text of a (possibly mutated) value; `undefined` and other non-JSON leaves become what JSON.stringify makes of them. */
export function jsonBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value) ?? 'null', 'utf8');
}

/**
 * Number literals JSON allows but JavaScript cannot hold exactly: overflow to Infinity, -0,
 * integers past 2^53, and the forms that spell an integer as a float.
 */
const NUMBER_LITERALS = ['1e999', '-1e999', '-0', '1.0', '1E2', '1e-7', '9007199254740993', '4294967296', '65536', '18446744073709551616'];

export interface NumberMutation {
  nth: number;
  literal: string;
}

export const numberMutation: fc.Arbitrary<NumberMutation> = fc.record({ nth: fc.nat(), literal: fc.constantFrom(...NUMBER_LITERALS) });

const NUMBER_TOKEN = /(?<=[:,[])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/** Rewrites the `nth` number token of a JSON text (wrapping around) as `literal`; text without numbers is returned as is. */
export function mutateNumber(text: string, m: NumberMutation): string {
  const tokens = [...text.matchAll(NUMBER_TOKEN)];
  if (!tokens.length) return text;
  const token = tokens[m.nth % tokens.length]!;
  return text.slice(0, token.index) + m.literal + text.slice(token.index + token[0].length);
}
