import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyError } from '../../src/kernel/errors.js';
import { Keystore } from '../../src/kernel/keystore.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cairn-keys-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KeyError);
    return (err as KeyError).code;
  }
  return undefined;
}

describe('Keystore', () => {
  it('writes a key readable by its owner only, in a directory only its owner can enter', async () => {
    const keys = new Keystore(dir);
    const key = keys.create('alice');
    expect(key.publicKey).toMatch(/^[0-9a-f]{64}$/);
    expect(key.privateKey).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(path.join(dir, 'alice.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(keys.get('alice')).toEqual(key);
  });

  it('refuses to replace an existing key', () => {
    const keys = new Keystore(dir);
    const first = keys.create('alice');
    expect(codeOf(() => keys.create('alice'))).toBe('KEY_EXISTS');
    expect(keys.get('alice').privateKey).toBe(first.privateKey);
  });

  it.each(['', '..', '.', '.hidden', '...', '../evil', 'a/b', 'a\\b', 'x'.repeat(65), 'space name', 'nul\u0000'])(
    'rejects the name %j',
    (name) => {
      const keys = new Keystore(dir);
      expect(codeOf(() => keys.create(name))).toBe('KEY_BAD_NAME');
      expect(codeOf(() => keys.get(name))).toBe('KEY_BAD_NAME');
    },
  );

  it('names an unknown key, and getOrCreate makes it once', () => {
    const keys = new Keystore(dir);
    expect(codeOf(() => keys.get('bob'))).toBe('KEY_UNKNOWN');
    const made = keys.getOrCreate('bob');
    expect(keys.getOrCreate('bob')).toEqual(made);
  });

  it('lists names and public keys, never private keys, and skips other files', async () => {
    const keys = new Keystore(dir);
    expect(keys.list()).toEqual([]);
    const b = keys.create('bob');
    const a = keys.create('alice.2');
    await writeFile(path.join(dir, 'notes.txt'), 'not a key');
    const listed = keys.list();
    expect(listed.map((k) => k.name)).toEqual(['alice.2', 'bob']);
    expect(listed.map((k) => k.publicKey)).toEqual([a.publicKey, b.publicKey]);
    expect(JSON.stringify(listed)).not.toContain(a.privateKey);
  });

  it('drafts a key without writing it; save writes it once', () => {
    const keys = new Keystore(dir);
    const draft = keys.draft('dora');
    expect(keys.has('dora')).toBe(false);
    expect(keys.list()).toEqual([]);
    keys.save(draft);
    expect(keys.get('dora')).toEqual(draft);
    expect(codeOf(() => keys.save(keys.draft('dora')))).toBe('KEY_EXISTS');
  });

  it('lists the good keys and names each file it skips, when junk sits beside them', async () => {
    const keys = new Keystore(dir);
    const good = keys.create('good');
    await writeFile(path.join(dir, 'bad.json'), '{}');
    await mkdir(path.join(dir, 'folder.json'));
    const skipped: string[] = [];
    expect(keys.list((file) => skipped.push(path.basename(file)))).toEqual([
      { name: 'good', publicKey: good.publicKey, created: good.created },
    ]);
    expect(skipped.sort()).toEqual(['bad.json', 'folder.json']);
  });

  it('reports a damaged key file instead of returning garbage', async () => {
    const keys = new Keystore(dir);
    keys.create('carol');
    await writeFile(path.join(dir, 'carol.json'), '{"publicKey": "nope"}');
    expect(codeOf(() => keys.get('carol'))).toBe('KEY_UNREADABLE');
  });
});
