import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCairn } from '../support/processes.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cairn-newcomer-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One line on stderr, with no oclif `node:status` id in it. */
function expectOneSpacedLine(stderr: string): void {
  expect(stderr.trim().split('\n'), stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\b[a-z]+:[a-z]/);
}

interface ManifestCommand {
  id: string;
  examples?: string[];
  pluginType: string;
}

async function manifestCommands(): Promise<ManifestCommand[]> {
  const manifest = JSON.parse(await readFile(path.join(root, 'oclif.manifest.json'), 'utf8')) as {
    commands: Record<string, ManifestCommand>;
  };
  return Object.values(manifest.commands);
}

// runCairn gives the child pipes, not a terminal: these are the runs of a script or a CI job.
describe('a CLI a newcomer never gets stuck in', () => {
  it('`cairn help` and `cairn help node start` show help', async () => {
    const top = await runCairn(['help']);
    expect(top.code, top.stderr).toBe(0);
    expect(top.stdout).toContain('node');
    const start = await runCairn(['help', 'node', 'start']);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toContain('$ cairn node start');
  });

  it('a mistyped command suggests the closest one, with spaces, without waiting for an answer', async () => {
    const result = await runCairn(['node', 'stat'], { timeoutMs: 15_000 });
    expect(result.code).toBe(127);
    expect(result.stderr).toContain('Did you mean `node status`?');
    expect(result.stderr).toContain('`cairn help node`');
    expectOneSpacedLine(result.stderr);
    expect(result.stdout).toBe('');
  });

  it('a mistyped command with --json is an error object on stdout', async () => {
    const result = await runCairn(['node', 'stat', '--json'], { timeoutMs: 15_000 });
    expect(result.code).toBe(127);
    const body = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('USAGE');
    expect(body.error.message).toContain('`node status`');
  });

  it.each([
    [['devnet', 'extra-arg'], '`cairn devnet` takes no arguments', '`extra-arg`'],
    [['keys', 'list', 'alice'], '`cairn keys list` takes no arguments', '`alice`'],
    [['keys', 'new', 'alice', 'bob'], '`cairn keys new` takes 1 argument', '`bob`'],
  ])('an unexpected argument (%j) is one sentence naming the command with spaces', async (args, what, extra) => {
    const result = await runCairn([...args, '--data-dir', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(what);
    expect(result.stderr).toContain(extra);
    expectOneSpacedLine(result.stderr);
    // The code --json gives it ends the line, as for every other error.
    expect(result.stderr.trim().endsWith('(USAGE)')).toBe(true);
  });

  it('a mistyped flag suggests the closest flag', async () => {
    const result = await runCairn(['devnet', '--nodse', '3', '--data-dir', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('`cairn devnet` has no flag --nodse; did you mean --nodes?');
    expectOneSpacedLine(result.stderr);
  });

  it('a multiple-value flag takes one value, so the words after it are arguments', async () => {
    // No node runs on the empty data dir: getting that far means the arguments parsed.
    const result = await runCairn(['app', 'query', '--arg', 'limit=1', 'guestbook', 'entries', '--data-dir', dir, '--json']);
    expect(result.code).toBe(1);
    const body = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    expect(body.error.code, body.error.message).toBe('NODE_NOT_RUNNING');
  });

  it('every multiple-value flag of every command takes one value per occurrence', async () => {
    const own = (await manifestCommands()).filter((c) => c.pluginType === 'core');
    expect(own.length).toBeGreaterThan(0);
    const greedy: string[] = [];
    for (const { id } of own) {
      const file = path.join(root, 'dist', 'commands', ...id.split(':'));
      const module = (await import(pathToFileURL(`${file}.js`).href).catch(
        () => import(pathToFileURL(path.join(file, 'index.js')).href),
      )) as {
        default: { flags?: Record<string, { multiple?: boolean; multipleNonGreedy?: boolean }> };
      };
      for (const [name, flag] of Object.entries(module.default.flags ?? {}))
        if (flag.multiple && !flag.multipleNonGreedy) greedy.push(`${id.replaceAll(':', ' ')} --${name}`);
    }
    expect(greedy).toEqual([]);
  });

  it('`cairn autocomplete` prints the setup instructions', async () => {
    const result = await runCairn(['autocomplete', 'bash'], { env: { CAIRN_CACHE_DIR: path.join(dir, 'cache') } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('cairn autocomplete script bash');
  });

  it('every command shows examples in its help', async () => {
    const missing = (await manifestCommands()).filter((c) => !c.examples?.length).map((c) => c.id.replaceAll(':', ' '));
    expect(missing).toEqual([]);
  });
});
