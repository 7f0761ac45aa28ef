import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CairnProcess, runCairn } from '../support/processes.js';

let dir: string;
const processes: CairnProcess[] = [];
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cairn-apps-'));
});
afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill('SIGKILL')));
  await rm(dir, { recursive: true, force: true });
});

/** An app cairn does not ship, so that `--app` can name a set other than the chain's. */
async function writeNotesApp(): Promise<string> {
  const file = path.join(dir, 'notes.mjs');
  await writeFile(file, "export default { id: 'notes', tx: {}, queries: {} };\n");
  return file;
}

function start(args: string[]): CairnProcess {
  const node = new CairnProcess(['node', 'start', '--data-dir', dir, '--transport', 'none', '--mine', 'off', ...args]);
  processes.push(node);
  return node;
}

describe('a data dir remembers its apps', () => {
  it('chain show and node start load them without --app; a running node is reported as STORE_LOCKED', async () => {
    const notes = await writeNotesApp();
    const first = start(['--app', 'voting']);
    await first.waitForLine(/Ctrl-C stops$/);

    // Running: the lock is the reason, with or without an --app that differs from the chain's.
    for (const extra of [[], ['--app', notes]]) {
      const locked = await runCairn(['chain', 'show', '--data-dir', dir, '--json', ...extra]);
      expect(locked.code, locked.stdout + locked.stderr).toBe(1);
      expect(JSON.parse(locked.stdout.trim())).toMatchObject({ error: { code: 'STORE_LOCKED' } });
    }
    expect(await first.kill('SIGINT')).toBe(0);

    // Stopped: no --app needed, with or without --genesis.
    const shown = await runCairn(['chain', 'show', '--data-dir', dir, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect((JSON.parse(shown.stdout) as unknown[]).length).toBe(1);
    const withGenesis = await runCairn(['chain', 'show', '--data-dir', dir, '--genesis', path.join(dir, 'genesis.json')]);
    expect(withGenesis.code, withGenesis.stderr).toBe(0);

    const again = start([]);
    await again.waitForLine(/Ctrl-C stops$/);
    expect(await again.kill('SIGINT')).toBe(0);
    expect(again.stderr).toBe('');

    // An --app that differs is still refused.
    const other = await runCairn(['chain', 'show', '--data-dir', dir, '--json', '--app', 'voting', '--app', notes]);
    expect(other.code).toBe(1);
    expect(JSON.parse(other.stdout.trim())).toMatchObject({ error: { code: 'APPS_MISMATCH' } });
  });

  it('an app the genesis names that is not built in is refused in one sentence saying how to load it', async () => {
    const notes = await writeNotesApp();
    const genesis = path.join(dir, 'notes-genesis.json');
    const init = await runCairn(['chain', 'init', '--out', genesis, '--app', notes]);
    expect(init.code, init.stderr).toBe(0);
    const run = await runCairn(['chain', 'show', '--data-dir', path.join(dir, 'n'), '--genesis', genesis]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      "Error: the chain runs app 'notes', which is not built in: load it with --app and its module path or package name (APP_NOT_FOUND)",
    );
  });
});
