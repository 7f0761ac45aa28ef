import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/plugins/http-api/index.js';
import { CairnProcess, runCairn, type RunResult } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

// `cairn tx`, `cairn tx show` and `cairn block show` against one real node running a plain-JS
// app whose `post` payload has a string, an integer, a boolean, an enum and an array.

const FORMS_APP = fileURLToPath(new URL('../support/forms-app.mjs', import.meta.url));
const EASY = '000' + 'f'.repeat(61);
// Long enough for a `tx show` process to see a transaction still pending.
const MINING_DELAY_MS = 3500;

let dir: string;
let dataDir: string;
let keys: string;
let node: CairnProcess;
let api: ApiClient;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cairn-tx-'));
  dataDir = path.join(dir, 'node');
  keys = path.join(dir, 'keys');
  node = new CairnProcess([
    'node',
    'start',
    '--data-dir',
    dataDir,
    '--app',
    FORMS_APP,
    '--difficulty',
    'fixed',
    '--initial-target',
    EASY,
    '--transport',
    'none',
    '--api-port',
    '0',
    '--mine',
    'on-demand',
    '--mining-delay',
    String(MINING_DELAY_MS),
    '--json',
  ]);
  await node.waitForLine(/"event":"started"/);
  api = await ApiClient.fromDataDir(dataDir);
}, 60_000);

afterAll(async () => {
  await node?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

function cairn(args: string[]): Promise<RunResult> {
  return runCairn([...args, '--data-dir', dataDir, '--keystore', keys]);
}

/** One line on stderr, `Error: ... (CODE)`, exit 1, no stack. */
function expectOneError(result: RunResult, pattern: RegExp): void {
  expect(result.code, result.stdout).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

const POST = ['tx', 'forms', 'post'];

describe('cairn tx APP', () => {
  it("lists the app's types with the flags each takes, and suggests a mistyped app or type", async () => {
    const listed = await cairn(['tx', 'forms']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('tx forms post --title TEXT --count INTEGER [--draft] --level low|mid|high [--tags TEXT ...]');
    expect(listed.stdout).toContain('tx forms forbidden');
    expect(listed.stdout).toContain('(key: only through --payload JSON)');

    const json = JSON.parse((await cairn(['tx', 'forms', '--json'])).stdout) as { txTypes: Array<{ type: string; flags: unknown[] }> };
    expect(json.txTypes.map((t) => t.type)).toEqual(['post', 'forbidden']);
    expect(json.txTypes[0]!.flags).toContainEqual({
      name: 'level',
      kind: { kind: 'enum', values: ['low', 'mid', 'high'] },
      required: true,
    });

    expectOneError(
      await cairn(['tx', 'form', 'post']),
      /^Error: this node's chain runs no app 'form'; did you mean forms\? .*\(APP_UNKNOWN\)$/,
    );
    const mistyped = await cairn(['tx', 'forms', 'pots']);
    expectOneError(mistyped, /^Error: app 'forms' has no transaction type 'pots'; did you mean post\? .*\(TX_TYPE_UNKNOWN\)$/);
    expect(mistyped.stdout).toContain('tx forms post --title TEXT');
  });
});

describe('cairn tx APP TYPE', () => {
  it('submits a payload of every kind from flags, waits for its block and makes the new key once accepted', async () => {
    const sent = await cairn([
      ...POST,
      '--title',
      'hello',
      '--count',
      '3',
      '--draft',
      '--level',
      'mid',
      '--tags',
      'a',
      '--tags=b',
      '--key',
      'alice',
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(/^created key 'alice' \([0-9a-f]{64}\) in .+alice\.json$/m);
    expect(sent.stdout).toMatch(/^mining… transaction [0-9a-f]{12} is waiting for a block$/m);
    expect(sent.stdout).toMatch(/^counted in block \d+ \(hash [0-9a-f]{64}\) with 1 confirmation$/m);
    const txId = /^transaction ([0-9a-f]{64})$/m.exec(sent.stdout)![1]!;
    const status = await api.txStatus(txId);
    expect(status).toMatchObject({
      status: 'confirmed',
      tx: { app: 'forms', type: 'post', payload: { title: 'hello', count: 3, draft: true, level: 'mid', tags: ['a', 'b'] } },
    });
  });

  it('--json --no-wait returns once accepted; tx show sees it pending, then in its block', async () => {
    const sent = await cairn([
      ...POST,
      '--title',
      'later',
      '--count',
      '0',
      '--no-draft',
      '--level',
      'low',
      '--key',
      'alice',
      '--no-wait',
      '--json',
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    const result = JSON.parse(sent.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({ app: 'forms', type: 'post', known: false, createdKeys: [], counted: null });
    const txId = result.txId as string;
    expect(result.from).toMatch(/^[0-9a-f]{64}$/);

    const pending = await cairn(['tx', 'show', txId]);
    expect(pending.code, pending.stderr).toBe(0);
    expect(pending.stdout).toContain('status:  pending');
    expect(pending.stdout).toContain(`signer:  ${result.from as string}`);
    expect(pending.stdout).toContain('payload: {"title":"later","count":0,"draft":false,"level":"low"}');

    await waitFor('the block', async () => (await api.txStatus(txId)).status === 'confirmed', 20_000, 100);
    const shown = JSON.parse((await cairn(['tx', 'show', txId, '--json'])).stdout) as Record<string, unknown>;
    expect(shown).toMatchObject({ txId, status: 'confirmed', confirmations: 1, app: 'forms', type: 'post', from: result.from });
    const human = await cairn(['tx', 'show', txId]);
    expect(human.stdout).toMatch(
      new RegExp(
        `status:  in block ${shown.height as number} \\(hash ${shown.blockHash as string}\\) with 1 confirmation on the best chain`,
      ),
    );
  });

  it('a wait for confirmations that ends says the transaction is counted, why no block came, and its full id', async () => {
    const run = await cairn([...POST, '--title', 'lone', '--count', '1', '--level', 'low', '--confirmations', '3', '--timeout', '12']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toMatch(
      /^Error: transaction [0-9a-f]{64} is counted in block \d+ but did not reach 3 confirmations within 12 s; the node mines on demand, so further blocks come only with further transactions \(WAIT_TIMEOUT\)$/,
    );
  });

  it('--confirmations 2 waits for a second block, and --payload gives the payload as JSON', async () => {
    const waiting = new CairnProcess([
      ...POST,
      '--payload',
      '{"title":"deep","count":7,"key":"k1"}',
      '--level',
      'high',
      '--confirmations',
      '2',
      '--data-dir',
      dataDir,
      '--keystore',
      keys,
    ]);
    try {
      await waiting.waitForLine(/^in block \d+ .*1 confirmation of 2, waiting for more blocks$/, 20_000);
      const other = await cairn(['tx', 'forms', 'post', '--title', 'push', '--count', '1', '--level', 'low', '--no-wait']);
      expect(other.code, other.stderr).toBe(0);
      await waiting.waitForLine(/^counted in block \d+ \(hash [0-9a-f]{64}\) with 2 confirmations$/, 20_000);
      await waitFor('the command to finish', async () => !waiting.running, 10_000, 50);
      expect(waiting.child.exitCode, waiting.stderr).toBe(0);
      const txId = /^transaction ([0-9a-f]{64})$/m.exec(waiting.stdout)![1]!;
      expect((await api.txStatus(txId)).tx.payload).toEqual({ title: 'deep', count: 7, key: 'k1', level: 'high' });
    } finally {
      await waiting.kill('SIGKILL');
    }
  });

  it('refuses bad flags in one sentence naming the flag, before anything is signed', async () => {
    expectOneError(
      await cairn([...POST, '--titel', 'x', '--count', '1', '--level', 'low']),
      /has no flag --titel; did you mean --title\?.*\(TX_FLAG_UNKNOWN\)$/,
    );
    expectOneError(
      await cairn([...POST, '--title', 'x']),
      /^Error: `cairn tx forms post` needs --count and --level: .*\(TX_FLAG_MISSING\)$/,
    );
    expectOneError(
      await cairn([...POST, '--title', 'x', '--count', '1', '--level', 'top']),
      /^Error: --level must be one of low, mid, high, not 'top' \(TX_FLAG_INVALID\)$/,
    );
    expectOneError(
      await cairn([...POST, '--title', 'x', '--count', '1.5', '--level', 'low']),
      /^Error: --count expects a whole number, not '1\.5' \(TX_FLAG_INVALID\)$/,
    );
    // Nesting is bounded before the JSON is parsed or walked: 60,000 levels overflowed the stack.
    const deep = `{"title":"x","count":1,"level":"low","tags":${'['.repeat(60_000)}${']'.repeat(60_000)}}`;
    expectOneError(
      await cairn([...POST, '--payload', deep]),
      /^Error: --payload nests deeper than 15 levels, which no transaction may \(TX_FLAG_INVALID\)$/,
    );
    // A boolean flag takes no word after it: the word is not silently taken as APP, TYPE or a value.
    expectOneError(
      await cairn([...POST, '--draft', 'yes', '--title', 'x', '--count', '1', '--level', 'low']),
      /'yes' is unexpected.*\(TX_ARG_UNEXPECTED\)$/,
    );
  });

  it("prints the app's refusal on one line and keeps no key for a refused transaction", async () => {
    const refused = await cairn(['tx', 'forms', 'forbidden', '--key', 'mallory']);
    expectOneError(refused, /^Error: refused: this app refuses every forbidden transaction \(FORMS_FORBIDDEN\)$/);
    expect(existsSync(path.join(keys, 'mallory.json'))).toBe(false);
    const json = await cairn(['tx', 'forms', 'forbidden', '--key', 'mallory', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'FORMS_FORBIDDEN' } });
  });
});

describe('cairn tx show, cairn block show', () => {
  it('shows a block by height and by hash with its transactions; unknown ids, heights and hashes are one sentence', async () => {
    const status = await api.status();
    const byHeight = await cairn(['block', 'show', '1', '--json']);
    expect(byHeight.code, byHeight.stderr).toBe(0);
    const block = JSON.parse(byHeight.stdout) as {
      hash: string;
      height: number;
      confirmations: number;
      txs: Array<Record<string, string>>;
    };
    expect(block).toMatchObject({ height: 1, onBestChain: true, confirmations: status.height });
    expect(block.txs[0]).toMatchObject({ app: 'forms', type: 'post', id: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const byHash = await cairn(['block', 'show', block.hash]);
    expect(byHash.code, byHash.stderr).toBe(0);
    expect(byHash.stdout).toContain('block 1\n');
    expect(byHash.stdout).toContain(`hash:         ${block.hash}`);
    expect(byHash.stdout).toMatch(/^best chain: {3}yes, with \d+ confirmations?$/m);
    expect(byHash.stdout).toContain(`  ${block.txs[0]!.id}  forms post  signed by ${block.txs[0]!.from}`);

    expectOneError(
      await cairn(['block', 'show', '999']),
      new RegExp(`there is no block 999: the best chain's tip is at height \\d+ \\(BLOCK_UNKNOWN\\)$`),
    );
    expectOneError(await cairn(['block', 'show', 'f'.repeat(64)]), /^Error: this node has no block f{16}… \(BLOCK_UNKNOWN\)$/);
    expectOneError(await cairn(['block', 'show', 'tip']), /\(BLOCK_BAD_ID\)$/);
    expectOneError(
      await cairn(['tx', 'show', 'e'.repeat(64)]),
      /^Error: transaction e{16}… is neither pending nor on the best chain \(TX_UNKNOWN\)$/,
    );
  });
});
