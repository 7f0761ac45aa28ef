import secureJson from 'secure-json-parse';
import { CairnError } from './errors.js';

/**
 * No cairn document nests deeper than this: a gossip message carrying blocks reaches a
 * transaction payload at depth 6, and payloads are bounded further by `MAX_TX_DEPTH`.
 * V8's JSON.stringify, ajv and every recursive walk overflow the stack somewhere past a few
 * thousand levels, and a 16 KiB transaction can nest 8,000 deep, so depth is checked first.
 */
export const MAX_JSON_DEPTH = 32;

export type UntrustedJsonCode = 'JSON_TOO_DEEP' | 'JSON_INVALID' | 'JSON_PROTOTYPE_KEY';

/** Untrusted JSON that cairn refuses to use. */
export class UntrustedJsonError extends CairnError {
  declare readonly code: UntrustedJsonCode;
  constructor(code: UntrustedJsonCode, message: string) {
    super(code, message);
  }
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether JSON text nests deeper than `limit`, decided in one pass over its UTF-8 bytes
 * without parsing (quotes and backslashes never occur inside a multi-byte UTF-8 sequence, so
 * bytes are enough). Invalid JSON may pass; the parser refuses it afterwards.
 */
export function jsonNestsDeeperThan(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    if (c === QUOTE) {
      // Skip the string: find its closing quote, stepping over escapes.
      for (i++; i < n; i++) {
        const s = bytes[i]!;
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return false;
}

/**
 * The one way cairn parses JSON from outside the process (peers, the tracker, API bodies,
 * files): depth bounded before anything walks it, then secure-json-parse refusing
 * `__proto__` and `constructor.prototype` keys. The caller bounds the size before calling.
 */
export function parseUntrustedJson(input: Uint8Array | string, maxDepth = MAX_JSON_DEPTH): unknown {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  if (jsonNestsDeeperThan(bytes, maxDepth)) throw new UntrustedJsonError('JSON_TOO_DEEP', `JSON nests deeper than ${maxDepth} levels`);
  const text = typeof input === 'string' ? input : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  try {
    return secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (err) {
    if (err instanceof SyntaxError && /prototype|constructor/i.test(err.message))
      throw new UntrustedJsonError('JSON_PROTOTYPE_KEY', 'JSON holds a __proto__ or constructor.prototype key');
    throw new UntrustedJsonError('JSON_INVALID', 'not valid JSON');
  }
}

/**
 * Whether an in-memory value nests deeper than `limit` (an array or object is one level).
 * Iterative, so a value built in-process to any depth cannot overflow the stack here; it
 * stops at the first path past the limit.
 */
export function valueNestsDeeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: Array<[object, number]> = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child as object, depth + 1]);
    }
  }
  return false;
}
