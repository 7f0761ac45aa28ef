import { shortHash } from '../node-assembly.js';
import type { SecretDemoResult } from './secret-demo-types.js';

type Log = (line: string) => void;

/** The secret demo's result for people: the decrypted tally, one line per node, the record's verdict. */
export function printSecretDemoResult(result: SecretDemoResult, log: Log): void {
  log('');
  const counts = result.nodes.find((n) => n.counts)?.counts;
  log(`Election ${result.election}: decrypted by ${result.decryptedBy.join(' and ')}`);
  const width = Math.max(6, ...result.choices.map((c) => c.length));
  result.choices.forEach((c, i) => log(`  ${c.padEnd(width)}  ${counts ? String(counts[i]).padStart(3) : '  ?'}`));
  log('');
  for (const n of result.nodes) {
    if (n.error) log(`node ${n.index}  not answering: ${n.error.message} (${n.error.code})`);
    else
      log(
        `node ${n.index}  ${String(n.height).padStart(6)}  ${shortHash(n.tip ?? '')}  ${n.agrees ? 'agrees' : `differs: ${JSON.stringify(n.counts)}`}`,
      );
  }
  const v = result.verify;
  if (v?.ok) {
    const c = v.counts;
    log(
      `election verify: ok: ${c.transactions} signed transactions, ${c.ceremonyKeys} ceremony keys, ${c.deals} deals, ${c.complaints} complaints, ${c.ballots} ballots (${c.revotes} revote), ${c.decryptions} decryptions, every proof and the result re-checked`,
    );
  } else if (v) log(`election verify: FAILED at ${v.check}: ${v.message}`);
  const expected = result.choices.map((c, i) => `${c} ${result.expected[i]}`).join(', ');
  log(
    result.passed
      ? `all ${result.nodes.length} nodes agree on the decrypted tally: ${expected}, and the record verifies (${(result.elapsedMs / 1000).toFixed(1)} s)`
      : `the secret demo FAILED; expected ${expected}`,
  );
  for (const f of result.failures) log(`failed: ${f}`);
}
