import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

/** Every installed package's package.json (scoped and nested node_modules too). */
function* installed(dir: string): Generator<{ name: string; version: string; node?: string; path: string }> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (entry.startsWith('@')) {
      yield* installed(path);
      continue;
    }
    let pkg: { name?: string; version?: string; engines?: { node?: string } };
    try {
      pkg = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as typeof pkg;
    } catch {
      continue;
    }
    yield { name: pkg.name ?? entry, version: pkg.version ?? '?', node: pkg.engines?.node, path };
    const nested = join(path, 'node_modules');
    if (statSync(nested, { throwIfNoEntry: false })?.isDirectory()) yield* installed(nested);
  }
}

describe('install on Node 20', () => {
  // npm ci warned EBADENGINE for cookie@2 (Node >= 22, through fastify's light-my-request):
  // "Node 20 and npm are all you need" must hold for every installed package, not just ours.
  it('every installed package accepts the Node version that runs the tests', () => {
    const refused = [...installed(join(ROOT, 'node_modules'))]
      .filter((p) => p.node && semver.validRange(p.node) && !semver.satisfies(process.version, p.node))
      .map((p) => `${p.name}@${p.version} wants node ${p.node}`);
    expect(refused).toEqual([]);
  });
});

describe('the published package', () => {
  // The bare npm name `cairn` is someone else's package: `npx cairn` outside the clone ran
  // cairn@0.8.0. What `npm pack` would publish must carry our scoped name, the `cairn` binary,
  // and templates whose imports name that same package, or a generated app would not resolve.
  it('is scoped, ships the cairn binary, and the app template imports it by that name', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    const [packed] = JSON.parse(out) as Array<{ name: string; files: Array<{ path: string }> }>;
    expect(packed!.name).toMatch(/^@[a-z0-9-]+\/cairn$/);
    const files = new Set(packed!.files.map((f) => f.path));
    for (const needed of ['bin/run.js', 'oclif.manifest.json', 'dist/index.js', 'dist/testing/index.js', 'dist/cli/public.js'])
      expect(files, needed).toContain(needed);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(Object.keys(pkg.bin)).toEqual(['cairn']);
    const imported = new Set<string>();
    for (const file of [...files].filter((f) => f.startsWith('templates/') && f.endsWith('.ts.tmpl'))) {
      for (const [, spec] of readFileSync(join(ROOT, file), 'utf8').matchAll(/from '([^.'][^']*)'/g))
        if (spec!.includes('cairn')) imported.add(spec!.replace(/\/(cli|testing)$/, ''));
    }
    expect([...imported]).toEqual([packed!.name]);
  });
});
