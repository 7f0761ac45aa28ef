import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApps } from '../../src/apps/registry.js';
import { ConfigError } from '../../src/kernel/errors.js';

let dir: string;
const APP = `export default { id: 'pkgapp', tx: { add: { schema: { type: 'object' }, apply() {} } }, queries: {} };\n`;

async function pkg(name: string, manifest: Record<string, unknown> | undefined, files: Record<string, string>): Promise<string> {
  const root = path.join(dir, name);
  await mkdir(root, { recursive: true });
  if (manifest) await writeFile(path.join(root, 'package.json'), JSON.stringify(manifest));
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  }
  return root;
}

async function codeOf(spec: string): Promise<string | undefined> {
  try {
    await loadApps([spec]);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).code;
  }
  return undefined;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cairn-app-pkg-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadApps with a package directory', () => {
  it("loads the entry that exports['.'] or main names", async () => {
    const conditional = await pkg(
      'a',
      { type: 'module', exports: { '.': { types: './x.d.ts', default: './dist/index.js' } } },
      { 'dist/index.js': APP },
    );
    const sugar = await pkg('b', { type: 'module', exports: './lib/app.js' }, { 'lib/app.js': APP });
    const main = await pkg('c', { type: 'module', main: 'out/main.js' }, { 'out/main.js': APP });
    for (const root of [conditional, sugar, main]) expect((await loadApps([root])).map((a) => a.id)).toEqual(['pkgapp']);
  });

  it('says to build a package whose entry is missing, and names a directory without package.json', async () => {
    expect(await codeOf(await pkg('unbuilt', { type: 'module', main: 'dist/index.js' }, {}))).toBe('APP_NOT_BUILT');
    expect(await codeOf(await pkg('bare', undefined, { 'index.js': APP }))).toBe('APP_NOT_FOUND');
  });
});
