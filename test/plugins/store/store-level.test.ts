import { chmod, mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { container as rootContainer } from 'tsyringe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NodeConfig } from '../../../src/kernel/config.js';
import { StoreError } from '../../../src/kernel/errors.js';
import type { ChainParams } from '../../../src/kernel/params.js';
import type { Store, StoreOp } from '../../../src/kernel/services.js';
import { STORE } from '../../../src/kernel/tokens.js';
import { DAMAGE_MARKER, LevelStore, levelStore } from '../../../src/plugins/store-level/index.js';
import { classicLevelUrl, spawnScript } from './child-process.js';
import { describeStoreCompliance } from '../../../src/testing/index.js';
import { vitestApi } from '../vitest-compliance.js';
import { makeTempDir, removeDir } from './temp-dir.js';

describeStoreCompliance(vitestApi, 'store-level', async () => {
  const dir = await makeTempDir();
  return { store: new LevelStore(path.join(dir, 'chain')), dispose: () => removeDir(dir) };
});

async function startError(store: Store): Promise<StoreError> {
  const err = await Promise.resolve(store.start?.()).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  return err as StoreError;
}

async function rejection(promise: Promise<unknown>): Promise<StoreError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  return err as StoreError;
}

const puts = (count: number, prefix = 'k:'): StoreOp[] =>
  Array.from({ length: count }, (_, i) => ({
    type: 'put',
    key: `${prefix}${String(i).padStart(5, '0')}`,
    value: `value ${i} `.repeat(20),
  }));

async function filesEnding(dir: string, suffix: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith(suffix)).map((name) => path.join(dir, name));
}

async function scribble(file: string, from: number, to: number): Promise<void> {
  const bytes = await readFile(file);
  bytes.fill(0x5a, from, Math.min(to, bytes.length));
  await writeFile(file, bytes);
}

describe('store-level', () => {
  let dir: string;
  let location: string;
  const opened: Store[] = [];

  const open = (at = location): LevelStore => {
    const store = new LevelStore(at);
    opened.push(store);
    return store;
  };

  beforeEach(async () => {
    dir = await makeTempDir();
    location = path.join(dir, 'chain');
  });

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.stop?.();
    await chmod(dir, 0o700).catch(() => undefined);
    await removeDir(dir);
  });

  describe('plugin', () => {
    const context = (dataDir: string) => ({ config: { dataDir } as NodeConfig, params: {} as ChainParams });

    it('registers one store per node under <dataDir>/chain', async () => {
      const plugin = levelStore();
      expect(plugin.name).toBe('store-level');
      expect(plugin.provides).toEqual([STORE]);
      const node = rootContainer.createChildContainer();
      plugin.register(node, context(dir));
      const store = node.resolve<Store>(STORE);
      opened.push(store);
      expect(node.resolve<Store>(STORE)).toBe(store);
      expect(store.location).toBe(location);
      await store.start?.();
      expect(existsSync(path.join(location, 'CURRENT'))).toBe(true);
    });

    it('takes an explicit path, made absolute for messages', () => {
      const node = rootContainer.createChildContainer();
      levelStore({ path: 'relative/db' }).register(node, context(dir));
      expect(node.resolve<Store>(STORE).location).toBe(path.resolve('relative/db'));
    });

    it('refuses a path option that is not a non-empty string', () => {
      expect(() => levelStore({ path: '' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    });
  });

  it('keeps its data for the next process that opens the directory', async () => {
    const first = open();
    await first.start();
    await first.batch(puts(50));
    await first.stop();
    const second = open();
    await second.start();
    expect(await second.get('k:00049')).toBe('value 49 '.repeat(20));
  });

  describe('a data dir in use elsewhere', () => {
    it('is STORE_LOCKED when this process already has it open', async () => {
      await open().start();
      const err = await startError(open());
      expect(err.code).toBe('STORE_LOCKED');
      expect(err.message).toContain(location);
      expect(err.message).toContain('a node may already be running on that data dir');
    });

    it('is STORE_LOCKED when another process has it open, and opens once that process is gone', async () => {
      const holder = spawnScript(
        `import { ClassicLevel } from '${classicLevelUrl}';
         const db = new ClassicLevel(process.env.STORE_DIR);
         await db.open();
         process.stdout.write('ready\\n');
         setInterval(() => {}, 1000);`,
        { STORE_DIR: location },
      );
      try {
        await holder.waitForLine((line) => line === 'ready');
        expect((await startError(open())).code).toBe('STORE_LOCKED');
      } finally {
        await holder.kill();
      }
      await open().start();
    });
  });

  describe('a damaged store', () => {
    async function storeWithData(): Promise<void> {
      const store = open();
      await store.start();
      for (const op of puts(100)) await store.batch([op]);
      await store.stop();
    }

    it('is STORE_DAMAGED when CURRENT holds garbage', async () => {
      await storeWithData();
      await writeFile(path.join(location, 'CURRENT'), 'garbage');
      const err = await startError(open());
      expect(err.code).toBe('STORE_DAMAGED');
      expect(err.message).toContain(location);
      expect(err.message).toContain('will not be reset silently');
    });

    it('is STORE_DAMAGED when CURRENT names a manifest that is missing', async () => {
      await storeWithData();
      await writeFile(path.join(location, 'CURRENT'), 'MANIFEST-000999\n');
      expect((await startError(open())).code).toBe('STORE_DAMAGED');
    });

    it('is STORE_DAMAGED when the MANIFEST holds garbage', async () => {
      await storeWithData();
      const [manifest] = (await readdir(location)).filter((name) => name.startsWith('MANIFEST-'));
      await writeFile(path.join(location, manifest!), Buffer.alloc(300, 0xab));
      expect((await startError(open())).code).toBe('STORE_DAMAGED');
    });

    it('is STORE_DAMAGED when a table file is missing', async () => {
      await storeWithData();
      // Opening again turns the write-ahead log into a table file.
      await open().start();
      await opened.pop()!.stop?.();
      const tables = await filesEnding(location, '.ldb');
      expect(tables.length).toBeGreaterThan(0);
      await Promise.all(tables.map((table) => unlink(table)));
      const err = await startError(open());
      expect(err.code).toBe('STORE_DAMAGED');
      expect(err.message).toContain('is missing');
    });

    it('refuses reads from a table file with garbage in it with STORE_DAMAGED', async () => {
      await storeWithData();
      await open().start();
      await opened.pop()!.stop?.();
      const [table] = await filesEnding(location, '.ldb');
      await scribble(table!, 0, 4000);
      const store = open();
      // LevelDB opens table files lazily: the damage shows on the first read that needs the block.
      await store.start();
      expect((await rejection(store.get('k:00000'))).code).toBe('STORE_DAMAGED');
      const iterate = async () => {
        for await (const _ of store.iterate('k:')) void _;
      };
      expect((await rejection(iterate())).code).toBe('STORE_DAMAGED');
      // Found by a read, kept: the store writes no more, and every later start refuses too.
      await expect(store.batch(puts(1, 'x:'))).rejects.toMatchObject({ code: 'STORE_DAMAGED' });
      await store.stop();
      expect(existsSync(path.join(location, DAMAGE_MARKER))).toBe(true);
      expect((await startError(open())).code).toBe('STORE_DAMAGED');
    });

    it('is STORE_DAMAGED when the write-ahead log has garbage in it, and stays so on every later start', async () => {
      await storeWithData();
      const [log] = await filesEnding(location, '.log');
      // Bit rot inside one record's value: its checksum fails. (Garbage over a record's length
      // field in the log's last 32 KB block reads as a write torn by a crash, and LevelDB drops
      // the tail quietly, as it must after kill -9.)
      const bytes = await readFile(log!);
      const value = bytes.indexOf('value 50 value 50');
      expect(value).toBeGreaterThan(0);
      await scribble(log!, value, value + 8);
      // LevelDB itself would skip the bad records, open, and delete the log: the loss would be
      // silent. The log is read before LevelDB opens, so it is refused with the log intact
      // (for `chain repair`, whose copy salvages the records around the bad one).
      const logBefore = await readFile(log!);
      const err = await startError(open());
      expect(err.code).toBe('STORE_DAMAGED');
      expect(err.message).toMatch(/write-ahead log \d+\.log is unreadable: the record at byte \d+ fails its checksum/);
      expect(await readFile(log!)).toEqual(logBefore);
      expect((await startError(open())).code).toBe('STORE_DAMAGED');
    });
  });

  describe('a data dir it cannot use', () => {
    it('is STORE_UNAVAILABLE when the path is a file', async () => {
      await writeFile(location, 'not a directory');
      const err = await startError(open());
      expect(err.code).toBe('STORE_UNAVAILABLE');
      expect(err.message).toContain('not a directory');
    });

    it('is STORE_UNAVAILABLE when permission is denied', async () => {
      let denied: string;
      if (process.getuid?.() === 0) {
        // root ignores file modes; sysfs refuses to create a directory even for root.
        denied = path.join('/sys', `cairn-${process.pid}`, 'chain');
      } else {
        await mkdir(path.join(dir, 'locked-out'), { mode: 0o500 });
        denied = path.join(dir, 'locked-out', 'chain');
      }
      const err = await startError(open(denied));
      expect(err.code).toBe('STORE_UNAVAILABLE');
      expect(err.message).toContain('permission denied');
    });
  });
});
