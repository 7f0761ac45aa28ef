import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import secureJson from 'secure-json-parse';
import { KeyError } from './errors.js';
import { fsReason } from './fs-reason.js';
import { generateKeyPair } from './keys.js';
import { HASH_RE } from './schemas.js';
import type { KeyPairHex } from './tx/index.js';

export interface StoredKey extends KeyPairHex {
  name: string;
  /** ISO 8601 creation time. */
  created: string;
}

/** What `list()` shows: never the private key. */
export interface KeyInfo {
  name: string;
  publicKey: string;
  created: string;
}

// A name is one path segment of safe characters, never starting with '.': that keeps '.' and
// '..' out and makes no hidden files.
const NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;

export function validateKeyName(name: string): void {
  if (!NAME.test(name)) {
    throw new KeyError(
      'KEY_BAD_NAME',
      `'${name}' is not a valid key name: use 1 to 64 letters, digits, '.', '_' or '-', not starting with '.'`,
      { name },
    );
  }
}

/**
 * Ed25519 key pairs in `<dir>/<name>.json`. The directory is 0700 and each file 0600: a private
 * key is readable by its owner only. One keystore serves every data dir of a user (the CLI's
 * `--keystore`), so a voter is the same key whichever node they vote through.
 */
export class Keystore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
  }

  /** Where the key of that name lives (or would). */
  file(name: string): string {
    validateKeyName(name);
    return path.join(this.dir, `${name}.json`);
  }

  private ensureDir(): void {
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      // mkdir's mode is filtered by the umask and ignored for a directory that already exists.
      chmodSync(this.dir, 0o700);
    } catch (err) {
      throw new KeyError('KEY_STORE_UNWRITABLE', `cannot use the keystore directory ${this.dir}: ${fsReason(err)}`);
    }
  }

  /** Makes a new key pair; refuses to replace an existing key of that name. */
  create(name: string): StoredKey {
    return this.save(this.draft(name));
  }

  /**
   * A new key pair of that name, not yet written: a command signs with it and saves it only once
   * the node accepted what it signed, so a command that fails leaves no key behind.
   */
  draft(name: string): StoredKey {
    validateKeyName(name);
    return { name, ...generateKeyPair(), created: new Date().toISOString() };
  }

  /** Writes a drafted key; refuses to replace an existing key of that name. */
  save(key: StoredKey): StoredKey {
    const file = this.file(key.name);
    this.ensureDir();
    try {
      // 'wx' fails if the file exists, so two concurrent creates cannot both win.
      writeFileSync(file, JSON.stringify(key, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST')
        throw new KeyError('KEY_EXISTS', `a key named '${key.name}' already exists in ${this.dir}`, { name: key.name });
      throw new KeyError('KEY_STORE_UNWRITABLE', `cannot write key file ${file}: ${fsReason(err)}`, { name: key.name });
    }
    return key;
  }

  /** Whether a key of that name is stored. */
  has(name: string): boolean {
    return this.find(name) !== undefined;
  }

  /** The key of that name, or undefined when there is none; a damaged file is still an error. */
  find(name: string): StoredKey | undefined {
    try {
      return this.get(name);
    } catch (err) {
      if (err instanceof KeyError && err.code === 'KEY_UNKNOWN') return undefined;
      throw err;
    }
  }

  get(name: string): StoredKey {
    const file = this.file(name);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new KeyError('KEY_UNKNOWN', `there is no key named '${name}' in ${this.dir}`, { name });
      throw new KeyError('KEY_UNREADABLE', `cannot read key file ${file}: ${fsReason(err)}`, { name });
    }
    let data: Partial<StoredKey>;
    try {
      data = secureJson.parse(text) as Partial<StoredKey>;
    } catch {
      throw new KeyError('KEY_UNREADABLE', `key file ${file} is not valid JSON`, { name });
    }
    if (
      !data ||
      typeof data.publicKey !== 'string' ||
      !HASH_RE.test(data.publicKey) ||
      typeof data.privateKey !== 'string' ||
      !HASH_RE.test(data.privateKey)
    ) {
      throw new KeyError('KEY_UNREADABLE', `key file ${file} does not hold an Ed25519 key pair`, { name });
    }
    return { name, publicKey: data.publicKey, privateKey: data.privateKey, created: typeof data.created === 'string' ? data.created : '' };
  }

  getOrCreate(name: string): StoredKey {
    const stored = this.find(name);
    if (stored) return stored;
    try {
      return this.create(name);
    } catch (err) {
      // Another process created it between our read and write: theirs is the key.
      if (err instanceof KeyError && err.code === 'KEY_EXISTS') return this.get(name);
      throw err;
    }
  }

  /**
   * Names and public keys, sorted by name. Files that are not keys (another name, unreadable,
   * not a key pair) are skipped, each told to `onSkip`: one bad file must not hide every key.
   */
  list(onSkip: (file: string, why: string) => void = () => undefined): KeyInfo[] {
    let files: string[];
    try {
      files = readdirSync(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new KeyError('KEY_UNREADABLE', `cannot read the keystore directory ${this.dir}: ${fsReason(err)}`);
    }
    const keys: KeyInfo[] = [];
    for (const file of files.sort()) {
      if (!file.endsWith('.json')) continue;
      const name = file.slice(0, -'.json'.length);
      if (!NAME.test(name)) continue;
      try {
        const { publicKey, created } = this.get(name);
        keys.push({ name, publicKey, created });
      } catch (err) {
        if (!(err instanceof KeyError)) throw err;
        onSkip(path.join(this.dir, file), err.message);
      }
    }
    return keys;
  }
}
