import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCairn } from '../support/processes.js';
import { startVotingNode, type VotingNode } from '../support/voting-node.js';

// Keys were made as a side effect of commands that then failed (no token, a refused ballot),
// and `--eligible NAME` needed an existing key while `--voter` made one.
let node: VotingNode;
let keys: string;
beforeAll(async () => {
  node = await startVotingNode();
  keys = path.join(node.dir, 'keys');
});
afterAll(async () => {
  await node?.stop();
});

const cairn = (...args: string[]) => runCairn([...args, ...node.args], { timeoutMs: 60_000 });
const keyFile = (name: string) => path.join(keys, `${name}.json`);

describe('a key is kept only when the command succeeds, and said when it is made', () => {
  it('makes no key for a ballot the node never accepted: a wrong token, a refused election', async () => {
    const noToken = await cairn('vote', 'cast', '--choice', 'tea', '--voter', 'nina', '--token', 'f'.repeat(64));
    expect(noToken.code, noToken.stdout).toBe(1);
    expect(noToken.stderr).toContain('(AUTH_INVALID)');
    expect(existsSync(keyFile('nina'))).toBe(false);

    const refused = await cairn('vote', 'cast', '--election', 'nosuch', '--choice', 'tea', '--voter', 'otto');
    expect(refused.code, refused.stdout).toBe(1);
    expect(refused.stderr).toContain('nosuch');
    expect(existsSync(keyFile('otto'))).toBe(false);

    const closeUnknown = await cairn('election', 'close', '--id', 'default', '--creator', 'pia');
    expect(closeUnknown.code).toBe(1);
    expect(existsSync(keyFile('pia'))).toBe(false);
  });

  it('keeps the key of an accepted ballot and says where, once', async () => {
    const cast = await cairn('vote', 'cast', '--choice', 'tea', '--voter', 'quinn');
    expect(cast.code, cast.stderr).toBe(0);
    expect(cast.stdout).toContain(`created key 'quinn'`);
    expect(cast.stdout).toContain(keyFile('quinn'));
    expect(existsSync(keyFile('quinn'))).toBe(true);
    const again = await cairn('vote', 'cast', '--choice', 'tea', '--voter', 'quinn');
    expect(again.code).toBe(1);
    expect(again.stdout).not.toContain('created key');
  });

  it('takes a key name where a query wants a public key (--key-arg), and names an unknown one', async () => {
    const byName = await cairn('app', 'query', 'voting', 'receipt', '--arg', 'election=default', '--key-arg', 'voter=quinn', '--json');
    expect(byName.code, byName.stderr).toBe(0);
    expect(JSON.parse(byName.stdout)).toMatchObject({ counted: true, choice: 'tea' });
    const unknown = await cairn('app', 'query', 'voting', 'receipt', '--arg', 'election=default', '--key-arg', 'voter=nobody');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(`Error: there is no key named 'nobody' in ${keys} (KEY_UNKNOWN)\n`);
  });

  it('takes a new key name for --eligible, like --voter, and keeps it with the election', async () => {
    const open = await cairn('election', 'open', '--id', 'club', '--title', 'Club', '--eligible', 'rosa', '--creator', 'quinn', '--json');
    expect(open.code, open.stderr).toBe(0);
    expect((JSON.parse(open.stdout) as { createdKeys: string[] }).createdKeys).toEqual(['rosa']);
    expect(existsSync(keyFile('rosa'))).toBe(true);
    const rosa = await cairn('vote', 'cast', '--election', 'club', '--choice', 'yes', '--voter', 'rosa', '--json');
    expect(rosa.code, rosa.stderr).toBe(0);
    expect((JSON.parse(rosa.stdout) as { createdKeys: string[] }).createdKeys).toEqual([]);
  });
});
