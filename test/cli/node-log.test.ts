import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CairnProcess } from '../support/processes.js';

// One hash in 2^16 qualifies: tens of blocks a second on one core.
const EASY = '0000' + 'f'.repeat(60);

let dir: string;
const processes: CairnProcess[] = [];
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cairn-node-log-'));
});
afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill('SIGKILL')));
  await rm(dir, { recursive: true, force: true });
});

function start(args: string[]): CairnProcess {
  const node = new CairnProcess(['node', 'start', '--data-dir', dir, '--transport', 'none', '--mine', 'always', ...args]);
  processes.push(node);
  return node;
}

interface LogLine {
  level: number;
  time: number;
  msg: string;
  [field: string]: unknown;
}

/** Every line of a log file, each of which must be one JSON object. */
function logLines(file: string): LogLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as LogLine);
}

describe('cairn node start logs', () => {
  it('keeps stderr quiet at the default level and appends info lines for start, blocks and stop to DATA-DIR/node.log', async () => {
    const node = start(['--difficulty', 'fixed', '--initial-target', EASY]);
    await node.waitForLine(/^block 3 /);
    expect(await node.kill('SIGTERM')).toBe(0);
    expect(node.stderr).toBe('');

    const lines = logLines(path.join(dir, 'node.log'));
    const started = lines.find((l) => l.msg === 'node started');
    expect(started).toMatchObject({ level: 30, height: 0, mine: 'always' });
    expect(started!.chainId).toMatch(/^[0-9a-f]{64}$/);
    const mined = lines.filter((l) => l.msg === 'block mined');
    expect(mined.length).toBeGreaterThanOrEqual(3);
    expect(mined[0]).toMatchObject({ level: 30, height: 1, txs: 0 });
    expect(mined[0]!.hash).toMatch(/^[0-9a-f]{12}$/);
    // The last lines survive the stop, in order, each once.
    expect(lines.slice(-2).map((l) => l.msg)).toEqual(['node stopping', 'node stopped']);
    expect(lines.filter((l) => l.msg === 'node started')).toHaveLength(1);
    const stopped = /stopped \(SIGTERM\) at height (\d+)/.exec(node.stdout)!;
    expect(lines[lines.length - 1]).toMatchObject({ height: Number(stopped[1]) });

    // A restart appends to the same file.
    const again = start([]);
    await again.waitForLine(new RegExp(`^block ${Number(stopped[1]) + 1} `));
    expect(await again.kill('SIGINT')).toBe(0);
    const both = logLines(path.join(dir, 'node.log'));
    expect(both.filter((l) => l.msg === 'node started')).toHaveLength(2);
    expect(both.slice(0, lines.length)).toEqual(lines);
  });

  it('--log-level debug puts the logs on stderr too; --log-file names the file and none writes none', async () => {
    const loud = start(['--log-level', 'debug', '--log-file', 'none', '--difficulty', 'fixed', '--initial-target', EASY]);
    await loud.waitForLine(/^block 2 /);
    expect(await loud.kill('SIGTERM')).toBe(0);
    const stderr = loud.stderr
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as LogLine);
    expect(stderr.some((l) => l.level === 20)).toBe(true);
    expect(stderr.map((l) => l.msg)).toEqual(expect.arrayContaining(['node started', 'block mined', 'node stopped']));
    expect(existsSync(path.join(dir, 'node.log'))).toBe(false);

    const file = path.join(dir, 'logs', 'mine.log');
    const quiet = start(['--log-file', file, '--log-file-level', 'warn']);
    await quiet.waitForLine(/^block \d+ /);
    expect(await quiet.kill('SIGTERM')).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(readFileSync(file, 'utf8')).toBe('');
    expect(existsSync(path.join(dir, 'node.log'))).toBe(false);
  });
});
