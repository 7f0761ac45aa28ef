import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
let temp: string | undefined;

afterAll(async () => {
  if (temp) await rm(temp, { recursive: true, force: true });
});

describe('oclif.manifest.json', () => {
  it('matches the manifest regenerated from the built commands', async () => {
    // A copy of the package, so that regenerating leaves the real manifest alone
    // (`oclif manifest` also deletes ./oclif.manifest.json of its working directory).
    temp = await mkdtemp(path.join(tmpdir(), 'cairn-manifest-'));
    await cp(path.join(root, 'dist'), path.join(temp, 'dist'), { recursive: true });
    await cp(path.join(root, 'package.json'), path.join(temp, 'package.json'));
    await symlink(path.join(root, 'node_modules'), path.join(temp, 'node_modules'), 'dir');
    await run(process.execPath, [path.join(root, 'node_modules', 'oclif', 'bin', 'run.js'), 'manifest', temp], { cwd: temp });

    const fresh = JSON.parse(await readFile(path.join(temp, 'oclif.manifest.json'), 'utf8'));
    const committed = JSON.parse(await readFile(path.join(root, 'oclif.manifest.json'), 'utf8'));
    expect(Object.keys(fresh.commands).length).toBeGreaterThan(0);
    expect(committed, 'oclif.manifest.json is stale: run `npm run build` and commit it').toEqual(fresh);
  });
});
