import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../../src/kernel/errors.js';
import { LevelStore } from '../../../src/plugins/store-level/index.js';
import { mountSmallDisk } from '../../support/small-disk.js';

const batch = (n: number) => [{ type: 'put' as const, key: `k:${String(n).padStart(6, '0')}`, value: randomBytes(10_000).toString('hex') }];

describe('store-level on a disk that fills up', () => {
  it('refuses every write after the first failed one until it has reopened, and loses no acknowledged batch', async (ctx) => {
    const disk = mountSmallDisk(2);
    if ('skip' in disk) return ctx.skip(disk.skip);
    const store = new LevelStore(path.join(disk.dir, 'chain'));
    try {
      await store.start();
      const acknowledged: number[] = [];
      let failure: unknown;
      for (let n = 0; n < 1000 && !failure; n++) {
        try {
          await store.batch(batch(n));
          acknowledged.push(n);
        } catch (err) {
          failure = err;
        }
      }
      expect(failure).toBeInstanceOf(StoreError);
      expect(failure).toMatchObject({ code: 'STORE_FULL', details: { retryable: true } });
      expect((failure as Error).message).toMatch(/is full \(.*No space left on device/);

      // LevelDB would now take writes again and append them after the torn record, where the
      // next open cannot read them: so nothing is written, not even once there is room again.
      expect(await store.recover()).toBe(false);
      disk.grow(64);
      await expect(store.batch(batch(5000))).rejects.toMatchObject({ code: 'STORE_FULL' });
      // Reads go on.
      expect(await store.get('k:000000')).toBeDefined();
      // Reopened, it writes again; everything acknowledged is there, the failed batch is not.
      expect(await store.recover()).toBe(true);
      await store.batch(batch(5001));
      await store.stop();
      await store.start();
      const found: number[] = [];
      for await (const [key] of store.iterate('k:')) found.push(Number(key.slice(2)));
      expect(found).toEqual([...acknowledged, 5001]);
    } finally {
      await store.stop();
      disk.remove();
    }
  });

  it('reopens once space returns: writes after that are kept, and the next open finds no damage', async (ctx) => {
    const disk = mountSmallDisk(16);
    if ('skip' in disk) return ctx.skip(disk.skip);
    const location = path.join(disk.dir, 'chain');
    let store = new LevelStore(location);
    try {
      await store.start();
      // Leave less room than LevelDB needs: its log write fails part way.
      await disk.fill(600 * 1024);
      const acknowledged: number[] = [];
      let n = 0;
      for (; n < 1000; n++) {
        try {
          await store.batch(batch(n));
          acknowledged.push(n);
        } catch (err) {
          expect(err).toMatchObject({ code: 'STORE_FULL' });
          break;
        }
      }
      expect(n).toBeLessThan(1000);
      const failed = n;
      expect(await store.recover()).toBe(false); // still full: no reopen is tried
      await disk.unfill();
      expect(await store.recover()).toBe(true);
      for (let i = 0; i < 50; i++) {
        await store.batch(batch(failed + 1 + i));
        acknowledged.push(failed + 1 + i);
      }
      await store.stop();

      // Before this fix the 50 batches written after space returned were all dropped here.
      store = new LevelStore(location);
      await store.start();
      const found: number[] = [];
      for await (const [key] of store.iterate('k:')) found.push(Number(key.slice(2)));
      expect(found).toEqual(acknowledged);
      expect(found).not.toContain(failed);
    } finally {
      await store.stop();
      disk.remove();
    }
  });
});
