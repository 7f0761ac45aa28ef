import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LevelStore } from '../../../src/plugins/store-level/index.js';
import { classicLevelUrl, spawnScript, type ScriptChild } from './child-process.js';
import { makeTempDir, removeDir } from './temp-dir.js';

/**
 * A writer shaped like the kernel's block commit: each batch writes three keys carrying one
 * counter plus the `tip` pointer, and the counter is printed only once the batch resolved.
 * It continues from the tip it finds, so later rounds also recover from earlier kills.
 */
const writer = `
import { ClassicLevel } from '${classicLevelUrl}';
const db = new ClassicLevel(process.env.STORE_DIR, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
await db.open();
let n = Number((await db.get('tip')) ?? 0);
const filler = 'x'.repeat(500);
for (;;) {
  n++;
  const id = String(n).padStart(8, '0');
  const value = n + '|' + filler;
  await db.batch(
    [
      { type: 'put', key: 'n:' + id + ':a', value },
      { type: 'put', key: 'n:' + id + ':b', value },
      { type: 'put', key: 'n:' + id + ':c', value },
      { type: 'put', key: 'tip', value: String(n) },
    ],
    { sync: false },
  );
  process.stdout.write(n + '\\n');
}
`;

describe('store-level under kill -9', () => {
  let dir: string;
  let child: ScriptChild | undefined;

  beforeEach(async () => {
    dir = await makeTempDir();
  });

  afterEach(async () => {
    await child?.kill();
    await removeDir(dir);
  });

  it('keeps every acknowledged batch and never part of one, over five kills', async () => {
    const location = path.join(dir, 'chain');
    let acknowledged = 0;
    for (let round = 1; round <= 5; round++) {
      child = spawnScript(writer, { STORE_DIR: location });
      await child.waitForLine((line) => Number(line) > acknowledged);
      await sleep(300);
      await child.kill();
      const lines = child.lines;
      const lastAcked = Number(lines[lines.length - 1]);
      expect(lastAcked).toBeGreaterThan(acknowledged);
      acknowledged = lastAcked;

      const store = new LevelStore(location);
      await store.start();
      try {
        const tip = Number(await store.get('tip'));
        expect(tip).toBeGreaterThanOrEqual(acknowledged);
        // Batches 1..tip, each with all three keys and its own counter, and nothing else:
        // a lost acknowledged batch or a torn one would break the sequence.
        let expected = 0;
        for await (const [key, value] of store.iterate('n:')) {
          const slot = expected % 3;
          const counter = Math.floor(expected / 3) + 1;
          expect(key).toBe(`n:${String(counter).padStart(8, '0')}:${'abc'[slot]}`);
          expect(value.slice(0, value.indexOf('|'))).toBe(String(counter));
          expected++;
        }
        expect(expected).toBe(tip * 3);
      } finally {
        await store.stop();
      }
    }
  });
});
