import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../../src/kernel/errors.js';
import type { Store, StoreOp } from '../../../src/kernel/services.js';

export interface StoreUnderTest {
  store: Store;
  /** Removes what making the store left behind (a temp dir); the store is stopped first. */
  dispose?(): Promise<void>;
}

/** LevelDB's order: the bytes of the UTF-8 encoding, not JavaScript's UTF-16 `<`. */
function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

async function collect(store: Store, prefix: string): Promise<[string, string][]> {
  const entries: [string, string][] = [];
  for await (const entry of store.iterate(prefix)) entries.push(entry);
  return entries;
}

async function expectStoreError(promise: Promise<unknown>, code: string): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  expect((err as StoreError).code).toBe(code);
}

const put = (key: string, value: string): StoreOp => ({ type: 'put', key, value });
const del = (key: string): StoreOp => ({ type: 'del', key });

/**
 * The contract every Store plugin must keep; a new store proves itself by passing it.
 * `makeStore` returns a fresh, not yet started store for each test.
 */
export function describeStoreCompliance(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  describe(`${name} keeps the Store contract`, () => {
    let subject: StoreUnderTest;
    let store: Store;

    beforeEach(async () => {
      subject = await makeStore();
      store = subject.store;
      await store.start?.();
    });

    afterEach(async () => {
      await store.stop?.();
      await subject.dispose?.();
    });

    it('names where its data lives', () => {
      expect(typeof store.location).toBe('string');
      expect(store.location.length).toBeGreaterThan(0);
    });

    it('answers undefined for a key never written', async () => {
      expect(await store.get('nothing-here')).toBeUndefined();
    });

    it('returns what was put, and the latest value after an overwrite', async () => {
      await store.batch([put('b:1', 'first')]);
      expect(await store.get('b:1')).toBe('first');
      await store.batch([put('b:1', 'second')]);
      expect(await store.get('b:1')).toBe('second');
    });

    it('keeps unicode, NUL bytes, empty strings and large values exactly', async () => {
      const large = 'x'.repeat(200_000) + 'é';
      await store.batch([put('k\x00é😀', 'v\x00ü🗳️'), put('empty', ''), put('large', large)]);
      expect(await store.get('k\x00é😀')).toBe('v\x00ü🗳️');
      expect(await store.get('empty')).toBe('');
      expect(await store.get('large')).toBe(large);
    });

    it('forgets a deleted key, and deleting a missing key is harmless', async () => {
      await store.batch([put('d:1', 'one'), put('d:2', 'two')]);
      await store.batch([del('d:1'), del('d:never')]);
      expect(await store.get('d:1')).toBeUndefined();
      expect(await store.get('d:2')).toBe('two');
    });

    it('applies the ops of one batch in order', async () => {
      await store.batch([put('o:1', 'a'), del('o:1'), del('o:2'), put('o:2', 'b'), put('o:3', 'c'), put('o:3', 'd')]);
      expect(await store.get('o:1')).toBeUndefined();
      expect(await store.get('o:2')).toBe('b');
      expect(await store.get('o:3')).toBe('d');
    });

    it('accepts an empty batch', async () => {
      await store.batch([]);
      expect(await collect(store, '')).toEqual([]);
    });

    const invalidBatches: [string, unknown][] = [
      ['a number as value', 5],
      ['undefined as value', undefined],
      ['an object as value', { text: 'no' }],
      ['a lone surrogate in the value', 'bad\uD800'],
    ];
    for (const [label, value] of invalidBatches) {
      it(`rejects a whole batch holding ${label} and writes none of it`, async () => {
        await store.batch([put('a:1', 'before')]);
        const ops = [put('a:1', 'after'), put('a:2', 'new'), { type: 'put', key: 'a:3', value } as StoreOp, del('a:1')];
        await expectStoreError(store.batch(ops), 'STORE_BAD_OP');
        expect(await store.get('a:1')).toBe('before');
        expect(await store.get('a:2')).toBeUndefined();
        expect(await collect(store, 'a:')).toEqual([['a:1', 'before']]);
      });
    }

    it('rejects a batch with a bad key or an unknown op type and writes none of it', async () => {
      await expectStoreError(store.batch([put('k:1', 'v'), { type: 'put', key: 7, value: 'v' } as unknown as StoreOp]), 'STORE_BAD_OP');
      await expectStoreError(
        store.batch([put('k:1', 'v'), { type: 'merge', key: 'k:2', value: 'v' } as unknown as StoreOp]),
        'STORE_BAD_OP',
      );
      await expectStoreError(store.batch([put('k:1', 'v'), null as unknown as StoreOp]), 'STORE_BAD_OP');
      expect(await store.get('k:1')).toBeUndefined();
    });

    it('lets every one of many concurrent batches land', async () => {
      await Promise.all(Array.from({ length: 100 }, (_, i) => store.batch([put(`c:${String(i).padStart(3, '0')}`, String(i))])));
      const entries = await collect(store, 'c:');
      expect(entries).toHaveLength(100);
      expect(entries[99]).toEqual(['c:099', '99']);
    });

    it('iterates exactly the keys with a prefix, in UTF-8 byte order', async () => {
      const inside = [
        's:voting\x00tally:a',
        's:voting\x00tally:b',
        's:voting\x00tally:\x00',
        's:voting\x00ballot:é',
        's:voting\x00😀',
        's:voting\x00\uFFFD',
        's:voting\x00\x7F',
        's:voting\x00',
      ];
      const outside = ['s:voting', 's:votingX\x00tally:a', 's:votinf\x00z', 's:votinh', 'r:voting\x00tally:a', 't', ''];
      await store.batch([...inside, ...outside].map((key, i) => put(key, `v${i}`)));

      const entries = await collect(store, 's:voting\x00');
      expect(entries.map(([key]) => key)).toEqual([...inside].sort(byUtf8));
      for (const [key, value] of entries) expect(value).toBe(`v${[...inside, ...outside].indexOf(key)}`);
      // U+FFFD sorts before an emoji in UTF-8 although its UTF-16 code unit is higher.
      expect(entries.findIndex(([key]) => key.endsWith('\uFFFD'))).toBeLessThan(entries.findIndex(([key]) => key.endsWith('😀')));
    });

    it('iterates everything for the empty prefix and nothing for an unused one', async () => {
      const keys = ['b', 'a\x00', 'a', 'é', 'z'];
      await store.batch(keys.map((key) => put(key, key)));
      expect((await collect(store, '')).map(([key]) => key)).toEqual([...keys].sort(byUtf8));
      expect(await collect(store, 'q')).toEqual([]);
      expect(await collect(store, 'zz')).toEqual([]);
    });

    it('iterates past many keys with a prefix', async () => {
      const ops = Array.from({ length: 1000 }, (_, i) => put(`m:${String(i).padStart(4, '0')}`, String(i)));
      await store.batch([put('l:last', 'x'), ...ops, put('n:first', 'y')]);
      const entries = await collect(store, 'm:');
      expect(entries).toHaveLength(1000);
      expect(entries[0]).toEqual(['m:0000', '0']);
      expect(entries[999]).toEqual(['m:0999', '999']);
    });

    it('keeps yielding what it saw when a batch changes the store mid-iteration', async () => {
      await store.batch([put('i:1', 'one'), put('i:2', 'two'), put('i:3', 'three')]);
      const seen: [string, string][] = [];
      for await (const entry of store.iterate('i:')) {
        if (seen.length === 0) await store.batch([del('i:2'), put('i:3', 'changed'), put('i:4', 'four')]);
        seen.push(entry);
      }
      expect(seen).toEqual([
        ['i:1', 'one'],
        ['i:2', 'two'],
        ['i:3', 'three'],
      ]);
      expect(await collect(store, 'i:')).toEqual([
        ['i:1', 'one'],
        ['i:3', 'changed'],
        ['i:4', 'four'],
      ]);
    });

    it('can stop and start any number of times and keeps its data', async () => {
      await store.batch([put('life', 'kept')]);
      await store.start?.();
      await store.stop?.();
      await store.stop?.();
      await store.start?.();
      await store.start?.();
      expect(await store.get('life')).toBe('kept');
    });

    it('refuses reads and writes while stopped, with STORE_CLOSED', async () => {
      await store.stop?.();
      await expectStoreError(store.get('k'), 'STORE_CLOSED');
      await expectStoreError(store.batch([put('k', 'v')]), 'STORE_CLOSED');
      await expectStoreError(collect(store, ''), 'STORE_CLOSED');
      await store.start?.();
      expect(await store.get('k')).toBeUndefined();
    });
  });
}
