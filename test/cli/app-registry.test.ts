import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApps } from '../../src/apps/registry.js';
import { checkApps } from '../../src/cli/node-assembly.js';
import { paramsFromFlags } from '../../src/kernel/chain-params.js';
import { ConfigError } from '../../src/kernel/errors.js';

let dir: string;
const file = (name: string) => path.join(dir, name);

const APP = `{ id: 'notes', tx: { add: { schema: { type: 'object' }, apply(state, tx) { state.put(tx.payload.k, 1); } } }, queries: { count: () => 0 } }`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cairn-apps-'));
  await writeFile(file('default.mjs'), `export default ${APP};\n`);
  await writeFile(file('named.mjs'), `export const app = ${APP.replace("'notes'", "'named'")};\n`);
  await writeFile(file('no-apply.mjs'), `export default { id: 'broken', tx: { add: { schema: {} } }, queries: {} };\n`);
  await writeFile(file('throws.mjs'), `throw new Error('boom at load');\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function codeOf(specs: string[]): Promise<string | undefined> {
  try {
    await loadApps(specs);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).code;
  }
  return undefined;
}

describe('loadApps', () => {
  it('loads an app from a module path, by default or `app` export', async () => {
    const apps = await loadApps([file('default.mjs'), file('named.mjs')]);
    expect(apps.map((a) => a.id)).toEqual(['notes', 'named']);
    expect(typeof apps[0]!.tx.add!.apply).toBe('function');
  });

  it('names what is wrong with a module that is not an app', async () => {
    expect(await codeOf([file('no-apply.mjs')])).toBe('APP_INVALID');
    expect(await codeOf([file('throws.mjs')])).toBe('APP_INVALID');
  });

  it('says when an app is nowhere to be found', async () => {
    expect(await codeOf([file('missing.mjs')])).toBe('APP_NOT_FOUND');
    expect(await codeOf(['cairn-no-such-app-package'])).toBe('APP_NOT_FOUND');
    // A scoped package name is looked up as a package, not as a relative path.
    await expect(loadApps(['@cairn-no-such/app'])).rejects.toThrow(/not a built-in app.*or an installed package/);
  });

  it('refuses two apps with one id', async () => {
    expect(await codeOf([file('default.mjs'), file('default.mjs')])).toBe('APP_DUPLICATE');
  });

  it('a chain and the loaded apps must agree', async () => {
    const [notes] = await loadApps([file('default.mjs')]);
    const params = paramsFromFlags({ difficulty: 'fixed', blockTime: 1, apps: ['notes'] });
    expect(() => checkApps(params, [notes!])).not.toThrow();
    expect(() => checkApps(params, [])).toThrow(/runs apps \[notes\] but --app loads \[none\]/);
  });
});
