import { createHash } from 'node:crypto';
import { readdir, readFile, stat, truncate, unlink } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../../src/kernel/errors.js';
import type { StoreOp } from '../../../src/kernel/services.js';
import { LevelStore } from '../../../src/plugins/store-level/index.js';
import { crc32c, maskCrc, unmaskCrc } from '../../../src/plugins/store-level/crc32c.js';
import { ManifestDamage, readManifest } from '../../../src/plugins/store-level/manifest.js';
import { makeTempDir, removeDir } from './temp-dir.js';

/** Every file of the store directory with a hash of its bytes: "nothing deleted or recreated" is equality of two of these. */
async function listing(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort())
    out[name] = createHash('sha256')
      .update(await readFile(path.join(dir, name)))
      .digest('hex');
  return out;
}

async function startError(store: LevelStore): Promise<StoreError> {
  const err = await store.start().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  return err as StoreError;
}

/** Random hex values: LevelDB's compression cannot shrink them, so few keys make big tables. */
const puts = (count: number, prefix: string, size = 500): StoreOp[] =>
  Array.from({ length: count }, (_, i) => ({
    type: 'put',
    key: `${prefix}${String(i).padStart(6, '0')}`,
    value: createHash('sha256')
      .update(`${prefix}${i}`)
      .digest('hex')
      .repeat(Math.ceil(size / 64)),
  }));

describe('store-level: store files without an openable database', () => {
  let dir: string;
  let location: string;
  const opened: LevelStore[] = [];
  const open = () => {
    const store = new LevelStore(location);
    opened.push(store);
    return store;
  };

  beforeEach(async () => {
    dir = await makeTempDir();
    location = path.join(dir, 'chain');
  });

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.stop();
    await removeDir(dir);
  });

  /** Two sessions: the first one's log becomes a table file when the second opens. */
  async function storeWithTables(): Promise<void> {
    for (const prefix of ['a:', 'b:']) {
      const store = open();
      await store.start();
      for (let i = 0; i < 10; i++) await store.batch(puts(100, `${prefix}${i}:`));
      await store.stop();
    }
  }

  it('refuses a directory whose CURRENT is gone with STORE_DAMAGED naming the repair, and changes no file', async () => {
    await storeWithTables();
    await unlink(path.join(location, 'CURRENT'));
    const before = await listing(location);
    const err = await startError(open());
    expect(err.code).toBe('STORE_DAMAGED');
    expect(err.message).toContain('CURRENT file is missing');
    expect(err.message).toContain('cairn chain repair');
    expect(err.message).not.toContain('\n');
    expect(await listing(location)).toEqual(before);
    // And again: a refusal leaves nothing behind that would make a second start open it.
    expect((await startError(open())).code).toBe('STORE_DAMAGED');
    expect(await listing(location)).toEqual(before);
  });

  it('refuses a store with a truncated table file at start, before any read, and changes no file', async () => {
    await storeWithTables();
    const [table] = (await readdir(location)).filter((n) => n.endsWith('.ldb'));
    const file = path.join(location, table!);
    await truncate(file, Math.floor((await stat(file)).size / 2));
    const before = await listing(location);
    const err = await startError(open());
    expect(err.code).toBe('STORE_DAMAGED');
    expect(err.message).toContain(`table file ${table}`);
    expect(await listing(location)).toEqual(before);
  });

  describe('a MANIFEST cut short', () => {
    /** One session that writes past LevelDB's 4 MiB write buffer: each flush appends an edit to the MANIFEST. */
    async function storeWithEdits(): Promise<{ manifest: string; boundaries: number[] }> {
      const store = open();
      await store.start();
      for (let i = 0; i < 30; i++) await store.batch(puts(1000, `k:${String(i).padStart(2, '0')}:`));
      await store.stop();
      const name = (await readdir(location)).find((n) => n.startsWith('MANIFEST-'))!;
      const bytes = await readFile(path.join(location, name));
      const boundaries: number[] = [];
      for (let at = 0; at + 7 <= bytes.length;) {
        at += 7 + bytes.readUInt16LE(at + 4);
        boundaries.push(at);
      }
      expect(boundaries.length).toBeGreaterThan(3);
      return { manifest: path.join(location, name), boundaries };
    }

    it('in the middle of its last record: STORE_DAMAGED, and no table is deleted', async () => {
      const { manifest, boundaries } = await storeWithEdits();
      await truncate(manifest, boundaries[boundaries.length - 1]! - 5);
      const before = await listing(location);
      const err = await startError(open());
      expect(err.code).toBe('STORE_DAMAGED');
      expect(err.message).toContain('cut short');
      expect(await listing(location)).toEqual(before);
    });

    it('at a record boundary, losing its newest edits: STORE_DAMAGED, and no table is deleted', async () => {
      const { manifest, boundaries } = await storeWithEdits();
      // LevelDB itself opens this as an older version and deletes the newer tables (30,000 keys read back as 1,380).
      await truncate(manifest, boundaries[1]!);
      const before = await listing(location);
      const err = await startError(open());
      expect(err.code).toBe('STORE_DAMAGED');
      expect(err.message).toContain('out of date');
      expect(await listing(location)).toEqual(before);
    });
  });

  it('opens a healthy store with many edits and tables, and every key is there', async () => {
    const store = open();
    await store.start();
    for (let i = 0; i < 12; i++) await store.batch(puts(1000, `k:${String(i).padStart(2, '0')}:`));
    await store.stop();
    const again = open();
    await again.start();
    let keys = 0;
    for await (const _ of again.iterate('k:')) keys++;
    expect(keys).toBe(12_000);
  });
});

describe('the MANIFEST reader', () => {
  it('computes CRC-32C as LevelDB does (test vectors of crc32c_test.cc) and undoes its mask', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(32, 0))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    const ascending = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    expect(crc32c(ascending)).toBe(0x46dd794e);
    for (const crc of [0, 1, 0xe3069283, 0xffffffff]) expect(unmaskCrc(maskCrc(crc))).toBe(crc);
    expect(maskCrc(0xe3069283)).not.toBe(0xe3069283);
  });

  /** A MANIFEST of one FULL record holding `edit`. */
  function manifestOf(edit: number[]): Buffer {
    const payload = Buffer.from(edit);
    const header = Buffer.alloc(7);
    header.writeUInt16LE(payload.length, 4);
    header[6] = 1;
    header.writeUInt32LE(maskCrc(crc32c(Buffer.concat([header.subarray(6), payload]))), 0);
    return Buffer.concat([header, payload]);
  }

  // tag 2 log number 5, tag 3 next file 9, tag 7 new file level 0 number 6 size 300 (varint ac 02) keys "a" "b"
  const edit = [2, 5, 3, 9, 7, 0, 6, 0xac, 0x02, 1, 0x61, 1, 0x62];

  it('replays an edit: log number, next file and the live tables with their sizes', () => {
    const state = readManifest(manifestOf(edit));
    expect(state).toMatchObject({ logNumber: 5, nextFile: 9 });
    expect([...state.tables]).toEqual([[6, 300]]);
  });

  it('refuses a bad checksum, a cut record, a cut header, an unknown tag and an empty file', () => {
    const good = manifestOf(edit);
    const flipped = Buffer.from(good);
    flipped[10]! ^= 1;
    expect(() => readManifest(flipped)).toThrow(ManifestDamage);
    expect(() => readManifest(good.subarray(0, good.length - 1))).toThrow(/cut short/);
    expect(() => readManifest(Buffer.concat([good, Buffer.from([1, 2, 3])]))).toThrow(/cut short/);
    expect(() => readManifest(manifestOf([2, 5, 3, 9, 42]))).toThrow(/unknown tag/);
    expect(() => readManifest(Buffer.alloc(0))).toThrow(/no record/);
  });
});
