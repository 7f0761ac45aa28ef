import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/kernel/keys.js';
import { privateKeyFromHex, signTx, verifyTxSignature } from '../../src/kernel/tx/tx.js';

const run = promisify(execFile);
const KEYS_JS = fileURLToPath(new URL('../../dist/kernel/keys.js', import.meta.url));

describe('key generation', () => {
  it('makes key pairs whose halves sign and verify together', () => {
    const pair = generateKeyPair();
    expect(pair.publicKey).toMatch(/^[0-9a-f]{64}$/);
    expect(pair.privateKey).toMatch(/^[0-9a-f]{64}$/);
    const tx = signTx(
      'ab'.repeat(32),
      { app: 'voting', type: 'ballot.cast', payload: {}, from: pair.publicKey, nonce: 0 },
      privateKeyFromHex(pair),
    );
    expect(verifyTxSignature('ab'.repeat(32), tx)).toBe(true);
  });

  // Exporting freshly generated KeyObjects deadlocked Node 20 in 4 runs of 5 of this size
  // (a GC inside the export finalizes the key-generation job, which waits for the export's lock).
  it('generates 30,000 key pairs in a row without hanging', async () => {
    const script = `import { generateKeyPair } from ${JSON.stringify(KEYS_JS)};
      const keep = [];
      for (let i = 0; i < 30000; i++) { const k = generateKeyPair(); keep.push(k.publicKey); if (keep.length > 2000) keep.length = 0; }
      console.log('generated', keep.length);`;
    const { stdout } = await run(process.execPath, ['--max-semi-space-size=64', '--input-type=module', '-e', script], { timeout: 30_000 });
    expect(stdout).toContain('generated');
  });
});
