import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RotatingLogFile, rotatedName } from '../../src/cli/rotating-log.js';
import { waitFor } from '../support/wait.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cairn-rotating-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const line = (i: number) => `${JSON.stringify({ i, msg: 'x'.repeat(80) })}\n`;

describe('RotatingLogFile', () => {
  it('appends, rotates to FILE.1 before passing its bound, and never holds more than twice the bound', async () => {
    const file = path.join(dir, 'node.log');
    writeFileSync(file, line(-1));
    const max = 1000;
    const log = new RotatingLogFile(file, max);
    const written = Array.from({ length: 40 }, (_, i) => line(i));
    for (const l of written) {
      log.write(l);
      await new Promise((r) => setImmediate(r));
    }
    await waitFor('the last line written', () => existsSync(file) && readFileSync(file, 'utf8').endsWith(line(39)), 5000, 10);
    const current = readFileSync(file, 'utf8');
    const older = readFileSync(rotatedName(file), 'utf8');
    expect(current.length).toBeLessThanOrEqual(max);
    expect(older.length).toBeLessThanOrEqual(max);
    expect(existsSync(`${file}.2`)).toBe(false);
    // Nothing of the last two files is lost or doubled, and each line stays whole.
    const kept = (older + current).split('\n').filter((l) => l !== '');
    for (const l of kept) JSON.parse(l);
    const tail = written.map((l) => l.trim()).slice(-kept.length);
    expect(kept).toEqual(tail);
  });
});
