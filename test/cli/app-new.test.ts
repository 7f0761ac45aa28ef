import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateKeyFromHex, signTx, generateKeyPair } from '../../src/kernel/index.js';
import { ApiClient } from '../../src/plugins/http-api/index.js';
import { CairnProcess, runCairn } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

// The whole path a newcomer takes: generate an app, install, build and test it as its own
// package, then run it in real node processes, alone and on a devnet, with its own commands.

const NAME = 'guestbook-ci';
const EASY = '0' + 'f'.repeat(63);

let root: string;
let appDir: string;
const processes: CairnProcess[] = [];

/** The child sees no trace of the vitest run around it, so the app's own vitest starts clean. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_ENV' && k !== 'TEST'));
  return { ...env, ...extra };
}

function npm(args: string[], timeoutMs: number): Promise<{ ms: number; output: string }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, {
      cwd: appDir,
      env: cleanEnv({ npm_config_update_notifier: 'false' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve({ ms: Date.now() - started, output });
      else reject(new Error(`npm ${args.join(' ')} exited with ${code} after ${Date.now() - started} ms:\n${output.slice(-4000)}`));
    });
  });
}

function start(args: string[], env: NodeJS.ProcessEnv = {}): CairnProcess {
  const p = new CairnProcess(args, cleanEnv(env));
  processes.push(p);
  return p;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'cairn-app-new-'));
  appDir = path.join(root, NAME);
});

afterAll(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill('SIGKILL')));
  await rm(root, { recursive: true, force: true });
});

describe('cairn app new', () => {
  it('refuses a bad name and a non-empty directory, in one sentence each', async () => {
    const bad = await runCairn(['app', 'new', 'My_App', '--dir', path.join(root, 'x')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toMatch(/^Error: 'My_App' is not a valid app name: .+ \(APP_NAME_INVALID\)$/);
    const clash = await runCairn(['app', 'new', 'node', '--dir', path.join(root, 'y'), '--json']);
    expect(clash.code).toBe(1);
    expect(JSON.parse(clash.stdout)).toMatchObject({ error: { code: 'APP_NAME_INVALID' } });
    // `cairn tx show ...` is cairn's own command: an app named show could never be reached by `cairn tx`.
    const shadowed = await runCairn(['app', 'new', 'show', '--dir', path.join(root, 'z')]);
    expect(shadowed.code).toBe(1);
    expect(shadowed.stderr.trim()).toMatch(
      /^Error: 'show' would be shadowed: `cairn tx show \.\.\.` runs cairn's own `tx show` command.* \(APP_NAME_INVALID\)$/,
    );
  });

  it('generates a package that installs, builds and passes its own test with no edits', async () => {
    const generated = await runCairn(['app', 'new', NAME, '--dir', appDir, '--json']);
    expect(generated.code, generated.stderr).toBe(0);
    const { dir, files } = JSON.parse(generated.stdout) as { dir: string; files: string[] };
    expect(dir).toBe(appDir);
    expect(files).toEqual(
      expect.arrayContaining(['package.json', 'src/index.ts', 'test/app.test.ts', `src/commands/${NAME}/sign.ts`, 'README.md']),
    );
    const pkg = JSON.parse(await readFile(path.join(appDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['@cairn-chain/cairn']).toBe(`file:${path.resolve(import.meta.dirname, '../..')}`);

    const again = await runCairn(['app', 'new', NAME, '--dir', appDir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('APP_DIR_NOT_EMPTY');

    await npm(['install', '--prefer-offline', '--no-audit', '--no-fund'], 150_000);
    await npm(['run', 'build'], 60_000);
    const tested = await npm(['test'], 90_000);
    expect(tested.output).toMatch(/Tests\s+.*4 passed/);
  }, 240_000);

  it('runs on a node: a transaction through the API changes what the query returns', async () => {
    const dataDir = path.join(root, 'solo');
    const node = start([
      'node',
      'start',
      '--app',
      appDir,
      '--data-dir',
      dataDir,
      '--transport',
      'none',
      '--api-port',
      '0',
      '--difficulty',
      'fixed',
      '--initial-target',
      EASY,
    ]);
    await node.waitForLine(/^api http/);
    const api = await ApiClient.fromDataDir(dataDir);
    const { chainId } = await api.status();
    const keys = generateKeyPair();
    const tx = signTx(
      chainId,
      { app: NAME, type: 'sign', payload: { message: 'hello' }, from: keys.publicKey, nonce: 0 },
      privateKeyFromHex(keys),
    );
    const { id } = await api.submitTx(tx);
    await waitFor('the entry to be mined', async () => (await api.txStatus(id)).status === 'confirmed', 20_000, 100);
    expect(await api.query(NAME, 'entry', { author: keys.publicKey })).toMatchObject({ author: keys.publicKey, message: 'hello' });

    // The generic `cairn tx` reaches the generated app's types with flags from their schemas.
    const keystore = ['--data-dir', dataDir, '--keystore', path.join(root, 'keys')];
    const signed = await runCairn(['tx', NAME, 'sign', '--message', 'hi', ...keystore, '--json']);
    expect(signed.code, signed.stderr).toBe(0);
    const sign = JSON.parse(signed.stdout) as { from: string; createdKeys: string[]; counted: { height: number } | null };
    expect(sign).toMatchObject({ app: NAME, type: 'sign', createdKeys: ['default'], counted: { height: expect.any(Number) } });
    expect(await api.query(NAME, 'entry', { author: sign.from })).toMatchObject({ message: 'hi' });
    const erased = await runCairn(['tx', NAME, 'erase', ...keystore]);
    expect(erased.code, erased.stderr).toBe(0);
    expect(erased.stdout).toMatch(/^counted in block \d+/m);
    expect(await api.query(NAME, 'entry', { author: sign.from })).toBeNull();
    const again = await runCairn(['tx', NAME, 'erase', ...keystore]);
    expect(again.stderr.trim()).toMatch(/^Error: refused: key [0-9a-f]{12} has no entry to erase \(NOT_SIGNED\)$/);
    expect(await node.kill('SIGTERM')).toBe(0);
  });

  it('runs on a devnet, with its own commands linked into cairn as a plugin', async () => {
    const oclifHome = {
      XDG_DATA_HOME: path.join(root, 'xdg'),
      XDG_CONFIG_HOME: path.join(root, 'xdg'),
      XDG_CACHE_HOME: path.join(root, 'xdg'),
    };
    const linked = await runCairn(['plugins', 'link', appDir, '--no-install'], { env: cleanEnv(oclifHome) });
    expect(linked.code, linked.stderr).toBe(0);

    const devnet = start(['devnet', '--app', appDir, '--nodes', '2', '--dir', path.join(root, 'devnet'), '--json'], oclifHome);
    const started = JSON.parse(await devnet.waitForLine(/"event":"started"/, 60_000)) as { nodes: Array<{ api: string; dataDir: string }> };
    const [first, second] = started.nodes;
    await devnet.waitForLine(/"peers":1.*"peers":1/, 30_000);

    // Signed with the app's own command through the second node, read back from the first.
    const signed = await runCairn([NAME, 'sign', 'hello, devnet', '--key', 'alice', '--data-dir', second!.dataDir, '--json'], {
      env: cleanEnv(oclifHome),
    });
    expect(signed.code, signed.stderr).toBe(0);
    const { author, height } = JSON.parse(signed.stdout) as { author: string; height: number };
    expect(height).toBeGreaterThanOrEqual(1);
    await waitFor(
      'the first node to have the entry',
      async () => (await new ApiClient(first!.api).query(NAME, 'count')) === 1,
      20_000,
      100,
    );
    const queried = await runCairn(['app', 'query', NAME, 'entry', '--arg', `author=${author}`, '--node', first!.api, '--json']);
    expect(queried.code, queried.stderr).toBe(0);
    expect(JSON.parse(queried.stdout)).toMatchObject({ author, message: 'hello, devnet', height });

    const listed = await runCairn([NAME, 'entries', '--node', second!.api], { env: cleanEnv(oclifHome) });
    expect(listed.stdout).toContain('1 entry in the guestbook');
    expect(listed.stdout).toContain('hello, devnet');
    expect(await devnet.kill('SIGINT')).toBe(0);
  });
});
