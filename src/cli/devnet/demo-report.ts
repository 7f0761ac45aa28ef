import { shortHash } from '../node-assembly.js';
import { renderTally } from '../voting/tally-table.js';
import type { VotingClient } from '../voting/voting-client.js';
import { describeCounts } from './demo-oracle.js';
import { DEMO_DUPLICATE } from './demo-script.js';
import type { DemoResult } from './demo-types.js';

type Log = (line: string) => void;

/** The demo's result for people: refusals, the tally, one line per node, detection, and the verdict. */
export async function printDemoResult(result: DemoResult, client: VotingClient, log: Log): Promise<void> {
  printRefusals(result, log);
  log('');
  const first = result.nodes[0];
  if (result.tally && first?.height !== undefined) {
    const details = await client.election(result.election);
    for (const line of renderTally(result.tally, details, first.height)) log(line);
    log('');
  }
  printNodes(result, log);
  printDetection(result, log);
  printVerdict(result, log);
}

function printRefusals(result: DemoResult, log: Log): void {
  for (const r of result.refused) if (r.code !== 'BALLOT_DUPLICATE') log(`unexpected refusal of ${r.voter}: ${r.message}`);
  if (result.refused.some((r) => r.code === 'BALLOT_DUPLICATE'))
    log(`the duplicate ballot of ${DEMO_DUPLICATE.voter} was refused, as it must be`);
  else log(`the duplicate ballot of ${DEMO_DUPLICATE.voter} was NOT refused`);
}

function printNodes(result: DemoResult, log: Log): void {
  const width = String(result.nodes.length - 1).length;
  log(`${'NODE'.padEnd(width + 5)}  HEIGHT  TIP           TALLY`);
  for (const n of result.nodes) {
    const name = `node ${String(n.index).padStart(width)}`;
    if (n.error) log(`${name}  not answering: ${n.error.message} (${n.error.code})`);
    else
      log(
        `${name}  ${String(n.height).padStart(6)}  ${shortHash(n.tip ?? '')}  ${n.agrees ? 'agrees' : `differs: ${describeCounts(n.tally?.choices ?? [])}`}`,
      );
  }
  for (const m of result.malicious)
    log(
      `node ${String(m.index).padStart(width)}  malicious (${m.faults.join(', ')}), ${m.running ? 'still running' : 'exited'}: not compared`,
    );
}

function printDetection(result: DemoResult, log: Log): void {
  const d = result.detection;
  if (!d) return;
  log('');
  for (const n of d.nodes) {
    const counted = Object.entries(n.rejections).map(([code, count]) => `${code} ${count}`);
    log(`node ${n.index} rejections: ${n.error ? `not answering (${n.error.code})` : counted.join(', ') || 'none'}`);
  }
  log(
    d.detected === null
      ? `the malicious node was not blamed, as expected: ${d.how}`
      : `the malicious node was ${d.detected ? 'detected' : 'NOT detected'}: ${d.how}`,
  );
}

function printVerdict(result: DemoResult, log: Log): void {
  const summary = describeCounts(result.expected);
  const who = result.malicious.length > 0 ? `${result.nodes.length} honest nodes` : `${result.nodes.length} nodes`;
  log(
    result.agreed
      ? `all ${who} agree on the tally: ${summary} (${(result.elapsedMs / 1000).toFixed(1)} s)`
      : `the ${who} do NOT agree; expected ${summary}`,
  );
  for (const f of result.failures) log(`failed: ${f}`);
}
