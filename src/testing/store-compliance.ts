import assert from 'node:assert/strict';
import { StoreError, type Store, type StoreOp } from '../kernel/index.js';
import { rejectionOf, type ComplianceTestApi } from './compliance-api.js';

export interface StoreUnderTest {
  /** A fresh store, not yet started. */
  store: Store;
  /** Removes what making the store left behind (a temp dir); the store is stopped first. */
  dispose?(): Promise<void>;
}

/** LevelDB's order: the bytes of the UTF-8 encoding, not JavaScript's UTF-16 `<`. */
function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

async function entriesOf(store: Store, prefix: string): Promise<[string, string][]> {
  const entries: [string, string][] = [];
  for await (const entry of store.iterate(prefix)) entries.push(entry);
  return entries;
}

async function assertStoreError(promise: Promise<unknown>, code: string): Promise<void> {
  const err = await rejectionOf(promise, `an operation expected to fail with ${code}`);
  assert.ok(err instanceof StoreError, `expected a StoreError, got ${String(err)}`);
  assert.equal(err.code, code);
}

const put = (key: string, value: string): StoreOp => ({ type: 'put', key, value });
const del = (key: string): StoreOp => ({ type: 'del', key });

/**
 * The contract every Store plugin must keep; a new store proves itself by passing it.
 * `makeStore` returns a fresh, not yet started store for each case; the case starts it, and
 * stops and disposes of it at its end.
 */
export function describeStoreCompliance(test: ComplianceTestApi, name: string, makeStore: () => Promise<StoreUnderTest>): void {
  const { describe, it } = test;

  const withStore = (body: (store: Store) => Promise<void>) => async () => {
    const subject = await makeStore();
    try {
      await subject.store.start?.();
      await body(subject.store);
    } finally {
      await subject.store.stop?.();
      await subject.dispose?.();
    }
  };

  describe(`${name} keeps the Store contract`, () => {
    it(
      'names where its data lives',
      withStore(async (store) => {
        assert.equal(typeof store.location, 'string');
        assert.ok(store.location.length > 0, 'the location is empty');
      }),
    );

    it(
      'answers undefined for a key never written',
      withStore(async (store) => {
        assert.equal(await store.get('nothing-here'), undefined);
      }),
    );

    it(
      'returns what was put, and the latest value after an overwrite',
      withStore(async (store) => {
        await store.batch([put('b:1', 'first')]);
        assert.equal(await store.get('b:1'), 'first');
        await store.batch([put('b:1', 'second')]);
        assert.equal(await store.get('b:1'), 'second');
      }),
    );

    it(
      'keeps unicode, NUL bytes, empty strings and large values exactly',
      withStore(async (store) => {
        const large = 'x'.repeat(200_000) + 'é';
        await store.batch([put('k\x00é😀', 'v\x00ü🗳️'), put('empty', ''), put('large', large)]);
        assert.equal(await store.get('k\x00é😀'), 'v\x00ü🗳️');
        assert.equal(await store.get('empty'), '');
        assert.equal(await store.get('large'), large);
      }),
    );

    it(
      'forgets a deleted key, and deleting a missing key is harmless',
      withStore(async (store) => {
        await store.batch([put('d:1', 'one'), put('d:2', 'two')]);
        await store.batch([del('d:1'), del('d:never')]);
        assert.equal(await store.get('d:1'), undefined);
        assert.equal(await store.get('d:2'), 'two');
      }),
    );

    it(
      'applies the ops of one batch in order',
      withStore(async (store) => {
        await store.batch([put('o:1', 'a'), del('o:1'), del('o:2'), put('o:2', 'b'), put('o:3', 'c'), put('o:3', 'd')]);
        assert.equal(await store.get('o:1'), undefined);
        assert.equal(await store.get('o:2'), 'b');
        assert.equal(await store.get('o:3'), 'd');
      }),
    );

    it(
      'accepts an empty batch',
      withStore(async (store) => {
        await store.batch([]);
        assert.deepEqual(await entriesOf(store, ''), []);
      }),
    );

    const invalidValues: [string, unknown][] = [
      ['a number as value', 5],
      ['undefined as value', undefined],
      ['an object as value', { text: 'no' }],
      ['a lone surrogate in the value', 'bad\uD800'],
    ];
    for (const [label, value] of invalidValues) {
      it(
        `rejects a whole batch holding ${label} with STORE_BAD_OP and writes none of it`,
        withStore(async (store) => {
          await store.batch([put('a:1', 'before')]);
          const ops = [put('a:1', 'after'), put('a:2', 'new'), { type: 'put', key: 'a:3', value } as StoreOp, del('a:1')];
          await assertStoreError(store.batch(ops), 'STORE_BAD_OP');
          assert.equal(await store.get('a:1'), 'before');
          assert.equal(await store.get('a:2'), undefined);
          assert.deepEqual(await entriesOf(store, 'a:'), [['a:1', 'before']]);
        }),
      );
    }

    it(
      'rejects a batch with a bad key, an unknown op type or a null op, and writes none of it',
      withStore(async (store) => {
        const bad = [{ type: 'put', key: 7, value: 'v' }, { type: 'merge', key: 'k:2', value: 'v' }, null];
        for (const op of bad) await assertStoreError(store.batch([put('k:1', 'v'), op as unknown as StoreOp]), 'STORE_BAD_OP');
        assert.equal(await store.get('k:1'), undefined);
      }),
    );

    it(
      'lets every one of many concurrent batches land',
      withStore(async (store) => {
        await Promise.all(Array.from({ length: 100 }, (_, i) => store.batch([put(`c:${String(i).padStart(3, '0')}`, String(i))])));
        const entries = await entriesOf(store, 'c:');
        assert.equal(entries.length, 100);
        assert.deepEqual(entries[99], ['c:099', '99']);
      }),
    );

    it(
      'iterates exactly the keys with a prefix, in UTF-8 byte order',
      withStore(async (store) => {
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
        const all = [...inside, ...outside];
        await store.batch(all.map((key, i) => put(key, `v${i}`)));

        const entries = await entriesOf(store, 's:voting\x00');
        assert.deepEqual(
          entries.map(([key]) => key),
          [...inside].sort(byUtf8),
        );
        for (const [key, value] of entries) assert.equal(value, `v${all.indexOf(key)}`);
        // U+FFFD sorts before an emoji in UTF-8 although its UTF-16 code unit is higher.
        const replacement = entries.findIndex(([key]) => key.endsWith('\uFFFD'));
        assert.ok(replacement < entries.findIndex(([key]) => key.endsWith('😀')), 'U+FFFD came after an emoji');
      }),
    );

    it(
      'iterates everything for the empty prefix and nothing for an unused one',
      withStore(async (store) => {
        const keys = ['b', 'a\x00', 'a', 'é', 'z'];
        await store.batch(keys.map((key) => put(key, key)));
        assert.deepEqual(
          (await entriesOf(store, '')).map(([key]) => key),
          [...keys].sort(byUtf8),
        );
        assert.deepEqual(await entriesOf(store, 'q'), []);
        assert.deepEqual(await entriesOf(store, 'zz'), []);
      }),
    );

    it(
      'iterates past many keys with a prefix',
      withStore(async (store) => {
        const ops = Array.from({ length: 1000 }, (_, i) => put(`m:${String(i).padStart(4, '0')}`, String(i)));
        await store.batch([put('l:last', 'x'), ...ops, put('n:first', 'y')]);
        const entries = await entriesOf(store, 'm:');
        assert.equal(entries.length, 1000);
        assert.deepEqual(entries[0], ['m:0000', '0']);
        assert.deepEqual(entries[999], ['m:0999', '999']);
      }),
    );

    it(
      'keeps yielding what it saw when a batch changes the store mid-iteration',
      withStore(async (store) => {
        await store.batch([put('i:1', 'one'), put('i:2', 'two'), put('i:3', 'three')]);
        const seen: [string, string][] = [];
        for await (const entry of store.iterate('i:')) {
          if (seen.length === 0) await store.batch([del('i:2'), put('i:3', 'changed'), put('i:4', 'four')]);
          seen.push(entry);
        }
        assert.deepEqual(seen, [
          ['i:1', 'one'],
          ['i:2', 'two'],
          ['i:3', 'three'],
        ]);
        assert.deepEqual(await entriesOf(store, 'i:'), [
          ['i:1', 'one'],
          ['i:3', 'changed'],
          ['i:4', 'four'],
        ]);
      }),
    );

    it(
      'can stop and start any number of times and keeps its data',
      withStore(async (store) => {
        await store.batch([put('life', 'kept')]);
        await store.start?.();
        await store.stop?.();
        await store.stop?.();
        await store.start?.();
        await store.start?.();
        assert.equal(await store.get('life'), 'kept');
      }),
    );

    it(
      'refuses reads and writes while stopped, with STORE_CLOSED',
      withStore(async (store) => {
        await store.stop?.();
        await assertStoreError(store.get('k'), 'STORE_CLOSED');
        await assertStoreError(store.batch([put('k', 'v')]), 'STORE_CLOSED');
        await assertStoreError(entriesOf(store, ''), 'STORE_CLOSED');
        await store.start?.();
        assert.equal(await store.get('k'), undefined);
      }),
    );
  });
}
