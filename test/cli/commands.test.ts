import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chainIdOf, type ChainParams } from '../../src/kernel/params.js';
import { CairnProcess, runCairn } from '../support/processes.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cairn-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A person sees one line, no stack frames. */
function expectOneCleanLine(stderr: string): void {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe('cairn CLI', () => {
  it('shows help listing its topics and commands', async () => {
    const top = await runCairn(['--help']);
    expect(top.code).toBe(0);
    for (const topic of ['node', 'chain', 'keys']) expect(top.stdout).toContain(topic);
    const chain = await runCairn(['chain', '--help']);
    for (const command of ['chain init', 'chain show', 'chain verify']) expect(chain.stdout).toContain(command);
  });

  it('creates keys, lists them as JSON without private keys, and refuses to replace one', async () => {
    const made = await runCairn(['keys', 'new', 'alice', '--keystore', path.join(dir, 'keys'), '--json']);
    expect(made.code, made.stderr).toBe(0);
    const alice = JSON.parse(made.stdout) as { name: string; publicKey: string };
    expect(alice.name).toBe('alice');
    expect((await stat(path.join(dir, 'keys', 'alice.json'))).mode & 0o777).toBe(0o600);
    await runCairn(['keys', 'new', 'bob', '--keystore', path.join(dir, 'keys')]);

    const listed = await runCairn(['keys', 'list', '--keystore', path.join(dir, 'keys'), '--json']);
    expect(listed.code).toBe(0);
    const keys = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
    expect(keys.map((k) => k.name)).toEqual(['alice', 'bob']);
    expect(keys[0]!.publicKey).toBe(alice.publicKey);
    const file = JSON.parse(await readFile(path.join(dir, 'keys', 'alice.json'), 'utf8')) as { privateKey: string };
    expect(listed.stdout).not.toContain(file.privateKey);

    const again = await runCairn(['keys', 'new', 'alice', '--keystore', path.join(dir, 'keys')]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('KEY_EXISTS');
    expectOneCleanLine(again.stderr);
  });

  it('keeps keys in $CAIRN_HOME/keys whatever the data dir, so every node dir shares them', async () => {
    const made = await runCairn(['keys', 'new', 'carol', '--data-dir', path.join(dir, 'node-0')], { env: { CAIRN_HOME: dir } });
    expect(made.code, made.stderr).toBe(0);
    await expect(stat(path.join(dir, 'keys', 'carol.json'))).resolves.toBeTruthy();
    const listed = await runCairn(['keys', 'list', '--data-dir', path.join(dir, 'node-1'), '--json'], { env: { CAIRN_HOME: dir } });
    expect((JSON.parse(listed.stdout) as Array<{ name: string }>).map((k) => k.name)).toEqual(['carol']);
    await expect(stat(path.join(dir, 'node-0'))).rejects.toThrow();
  });

  it('writes a genesis file whose chain id is that of its parameters, and will not overwrite it', async () => {
    const out = path.join(dir, 'genesis.json');
    const args = ['chain', 'init', '--out', out, '--data-dir', dir, '--difficulty', 'fixed', '--block-time', '2', '--network', 'testnet'];
    const first = await runCairn(args);
    expect(first.code, first.stderr).toBe(0);
    const genesis = JSON.parse(await readFile(out, 'utf8')) as { params: ChainParams; chainId: string; genesis: { height: number } };
    expect(genesis.params.network).toBe('testnet');
    expect(genesis.params.consensus.policy).toBe('fixed');
    expect(genesis.params.consensus.blockTimeMs).toBe(2000);
    expect(genesis.chainId).toBe(chainIdOf(genesis.params));
    expect(genesis.genesis.height).toBe(0);
    expect(first.stdout).toContain(genesis.chainId);

    const second = await runCairn(args);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('--force');
    expectOneCleanLine(second.stderr);
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(genesis);

    const forced = await runCairn([...args.slice(0, -1), 'othernet', '--force', '--json']);
    expect(forced.code, forced.stderr).toBe(0);
    expect((JSON.parse(forced.stdout) as { chainId: string }).chainId).not.toBe(genesis.chainId);
  });

  it.each([
    [['node', 'start', '--miners', 'abc'], '--miners'],
    [['node', 'start', '--block-time', '-1'], '--block-time'],
    [['node', 'start', '--miners', '0'], '--miners'],
    [['node', 'start', '--initial-target', 'xyz'], '--initial-target'],
    [['node', 'start', '--mine', 'sometimes'], '--mine'],
    [['chain', 'init', '--out', 'x.json', '--timestamp', 'yesterday'], '--timestamp'],
  ])('a bad value (%j) is one sentence naming the flag, exit 1', async (args, flag) => {
    const result = await runCairn([...args, '--data-dir', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(flag);
    expectOneCleanLine(result.stderr);
    expect(result.stdout).toBe('');
  });

  it('a bad value with --json is an error object on stdout', async () => {
    const result = await runCairn(['node', 'start', '--miners', 'abc', '--data-dir', dir, '--json']);
    expect(result.code).toBe(1);
    const body = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('CONFIG_INVALID');
    expect(body.error.message).toContain('--miners');
  });

  it('a genesis file that does not match its chain id is refused with a clear sentence', async () => {
    const out = path.join(dir, 'genesis.json');
    expect((await runCairn(['chain', 'init', '--out', out, '--data-dir', dir])).code).toBe(0);
    const genesis = JSON.parse(await readFile(out, 'utf8')) as { params: ChainParams };
    genesis.params.network = 'tampered';
    await writeFile(out, JSON.stringify(genesis));
    const result = await runCairn(['chain', 'verify', '--genesis', out, '--data-dir', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('GENESIS_MISMATCH');
    expectOneCleanLine(result.stderr);
  });

  it('chain show and chain verify on a dir without a chain say so, create nothing, and open no socket', async () => {
    const missing = path.join(dir, 'missing', 'dir');
    for (const command of ['show', 'verify']) {
      const result = await runCairn(['chain', command, '--data-dir', missing]);
      expect(result.code, command).toBe(1);
      expect(result.stderr.trim()).toBe(
        `Error: there is no chain in ${missing}: start a node on it first (cairn node start --data-dir ${missing}) (NO_CHAIN)`,
      );
      expectOneCleanLine(result.stderr);
      expect(result.stdout).toBe('');
      const json = await runCairn(['chain', command, '--data-dir', missing, '--json']);
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'NO_CHAIN' } });
    }
    await expect(stat(path.join(dir, 'missing'))).rejects.toThrow(/ENOENT/);

    // On a dir with a chain, they read it without opening a transport or an API.
    const node = new CairnProcess(['node', 'start', '--data-dir', dir, '--transport', 'none', '--mine', 'off']);
    await node.waitForLine(/Ctrl-C stops$/);
    expect(await node.kill('SIGTERM')).toBe(0);
    const env = { NODE_OPTIONS: `--import ${pathToFileURL(path.resolve('test/support/report-sockets.mjs')).href}` };
    const shown = await runCairn(['chain', 'show', '--data-dir', dir], { env });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^ +0 +[0-9a-f]{12} /m);
    const verified = await runCairn(['chain', 'verify', '--data-dir', dir], { env });
    expect(verified.code, verified.stderr).toBe(0);
    expect(shown.stderr + verified.stderr).toBe('');
    // The preload does report sockets: a node with a transport opens one.
    const udp = new CairnProcess(['node', 'start', '--data-dir', dir, '--mine', 'off'], env);
    await udp.waitForLine(/Ctrl-C stops$/);
    expect(await udp.kill('SIGTERM')).toBe(0);
    expect(udp.stderr).toContain('opened a UDP socket');
  });

  it('an app that cannot be found is named', async () => {
    const result = await runCairn(['chain', 'init', '--out', path.join(dir, 'g.json'), '--app', './no-such-app.js', '--data-dir', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('APP_NOT_FOUND');
    expectOneCleanLine(result.stderr);
  });
});
