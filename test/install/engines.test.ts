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
