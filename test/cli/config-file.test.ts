import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CairnProcess, runCairn } from '../support/processes.js';

// The flags people repeat (tracker, API port, keystore, log level) had to be typed every time.
let home: string;
beforeEach(() => {
  home = mkdtempSync(path.join(tmpdir(), 'cairn-config-'));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

const writeConfig = (config: unknown, file = path.join(home, 'config.json')) => {
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  return file;
};
const cairn = (args: string[], env: NodeJS.ProcessEnv = {}) => runCairn(args, { env: { CAIRN_HOME: home, ...env } });

describe('$CAIRN_HOME/config.json and --config', () => {
  it('gives defaults to every command that has the flag; typed flags and their variables win', async () => {
    writeConfig({ keystore: 'my-keys', logLevel: 'warn' });
    expect((await cairn(['keys', 'new', 'ann'])).code).toBe(0);
    expect(existsSync(path.join(home, 'my-keys', 'ann.json'))).toBe(true);
    expect((await cairn(['keys', 'new', 'ben', '--keystore', path.join(home, 'typed')])).code).toBe(0);
    expect(existsSync(path.join(home, 'typed', 'ben.json'))).toBe(true);
    expect((await cairn(['keys', 'new', 'cy'], { CAIRN_KEYSTORE: path.join(home, 'env') })).code).toBe(0);
    expect(existsSync(path.join(home, 'env', 'cy.json'))).toBe(true);

    // dataDir of the file, although CAIRN_HOME (where the file lives) is set.
    writeConfig({ dataDir: 'nodes/a' });
    const show = await cairn(['chain', 'show']);
    expect(show.stderr).toContain(`there is no chain in ${path.join(home, 'nodes', 'a')}`);

    const other = writeConfig({ keystore: path.join(home, 'elsewhere') }, path.join(home, 'other.json'));
    expect((await cairn(['keys', 'new', 'dee', '--config', other])).code).toBe(0);
    expect(existsSync(path.join(home, 'elsewhere', 'dee.json'))).toBe(true);
  });

  it('starts a node with the API port and log level of the config', async () => {
    writeConfig({ apiPort: 0, logLevel: 'info' });
    const dataDir = path.join(home, 'node');
    const node = new CairnProcess(['node', 'start', '--data-dir', dataDir, '--transport', 'none', '--mine', 'off', '--json'], {
      CAIRN_HOME: home,
    });
    try {
      const started = JSON.parse(await node.waitForLine(/"event":"started"/)) as { api?: string };
      expect(started.api).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(readFileSync(path.join(dataDir, 'api.url'), 'utf8').trim()).toBe(started.api);
      // info, not the default warn: the start is logged on stderr.
      expect(node.stderr).toMatch(/"level":30/);
    } finally {
      expect(await node.kill('SIGTERM')).toBe(0);
    }
  });

  it.each([
    [
      'an unknown key',
      { trackr: '127.0.0.1:7070' },
      "'trackr' is not a config key (the keys are tracker, apiPort, keystore, dataDir, logLevel, node); did you mean 'tracker'?",
    ],
    ['a port out of range', { apiPort: 70000 }, "'apiPort' must be a port number from 0 to 65535, not 70000"],
    ['a tracker that is no address', { tracker: 'nope' }, "'tracker' must be HOST:PORT, like 127.0.0.1:7070, not 'nope'"],
    ['an unknown level', { logLevel: 'loud' }, "'logLevel' must be one of: fatal, error, warn, info, debug, trace, silent, not 'loud'"],
    ['a list', [1], 'the config must be an object'],
    [
      'a node that is no URL',
      { node: 'not a url' },
      "'node' must be an http:// or https:// URL, like http://127.0.0.1:8080, not 'not a url'",
    ],
  ])('refuses %s in one sentence naming the key', async (_what, config, sentence) => {
    const file = writeConfig(config);
    const run = await cairn(['keys', 'list']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`Error: in the config file ${file}: ${sentence} (CONFIG_INVALID)\n`);
    const json = await cairn(['keys', 'list', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'CONFIG_INVALID', message: `in the config file ${file}: ${sentence}` } });
  });

  it('says where a file that is not JSON goes wrong, and that a named file is missing', async () => {
    const file = writeConfig('{"logLevel": ');
    const bad = await cairn(['keys', 'list']);
    expect(bad.stderr).toBe(`Error: the config file ${file} is not valid JSON: Unexpected end of JSON input (CONFIG_INVALID)\n`);
    rmSync(file);
    expect((await cairn(['keys', 'list'])).code).toBe(0);
    mkdirSync(file);
    expect((await cairn(['keys', 'list'])).stderr).toBe(
      `Error: cannot read the config file ${file}: it is a directory, not a file (EISDIR) (CONFIG_UNREADABLE)\n`,
    );
    expect((await cairn(['keys', 'list', '--config', ''])).stderr).toBe(
      'Error: --config names no file: give the path of a config file (CONFIG_NOT_FOUND)\n',
    );
    const missing = await cairn(['keys', 'list', '--config', path.join(home, 'nope.json')]);
    expect(missing.stderr).toBe(`Error: there is no config file ${path.join(home, 'nope.json')} (CONFIG_NOT_FOUND)\n`);
  });
});
