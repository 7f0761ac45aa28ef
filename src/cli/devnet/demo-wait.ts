import { CairnError } from '../../kernel/index.js';
import { shortHash } from '../node-assembly.js';
import type { VotingClient } from '../voting/voting-client.js';
import type { DemoDevnet } from './demo-types.js';
import { judge, observe, type Detection, type FaultExpectation } from './fault-detection.js';

/** Honest nodes that see each other as ready peers: a malicious one may be banned by then, so its absence is fine. */
export async function waitUntilHonestConnected(devnet: DemoDevnet, honest: DemoDevnet['nodes'], deadline: number): Promise<void> {
  const limit = Math.min(deadline, Date.now() + 30_000);
  for (;;) {
    const seen = await Promise.all(
      honest.map(async (n) => {
        const peers = await devnet
          .client(n.index, { timeoutMs: 3000 })
          .peers()
          .catch(() => undefined);
        const ready = new Set(peers?.peers.filter((p) => p.ready).map((p) => p.peer) ?? []);
        return honest.filter((o) => o !== n && !ready.has(o.address)).length;
      }),
    );
    if (seen.every((missing) => missing === 0)) return;
    if (Date.now() > limit)
      throw new CairnError(
        'DEVNET_NOT_CONNECTED',
        `the honest nodes did not all connect to each other within 30 s (${seen.map((m, i) => `node ${honest[i]!.index} misses ${m}`).join(', ')})`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Polls the honest nodes until they name one tip; no `tip` when the deadline passes first. */
export async function waitForOneTip(clients: VotingClient[], deadline: number): Promise<{ tip?: string; seen: string }> {
  for (;;) {
    const statuses = await Promise.all(clients.map((c) => c.status().catch(() => undefined)));
    const tip = statuses[0]?.tip;
    if (tip && statuses.every((s) => s?.tip === tip)) return { tip, seen: '' };
    if (Date.now() > deadline) return { seen: statuses.map((s) => (s ? `${s.height}:${shortHash(s.tip)}` : 'no answer')).join(', ') };
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Polls the honest nodes until they show the faults were seen (or, for faults nobody can see, once). */
export async function waitForDetection(
  expectation: FaultExpectation,
  devnet: DemoDevnet,
  honest: DemoDevnet['nodes'],
  bad: DemoDevnet['nodes'],
  deadline: number,
): Promise<Detection> {
  const targets = honest.filter((n) => n.child.running).map((n) => ({ index: n.index, api: devnet.client(n.index, { timeoutMs: 3000 }) }));
  const addresses = bad.map((n) => n.address);
  for (;;) {
    const detection = judge(expectation, await observe(targets, addresses));
    if (detection.detected !== false || Date.now() > deadline) return detection;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Polls every node until each says every ballot is on its best chain; what is still missing at the deadline. */
export async function waitUntilAllCounted(
  clients: ReadonlyMap<number, VotingClient>,
  ballots: ReadonlyArray<{ voter: string; txId: string }>,
  deadline: number,
): Promise<string[]> {
  for (;;) {
    const missing: string[] = [];
    await Promise.all(
      [...clients].map(async ([node, client]) => {
        for (const ballot of ballots) {
          const status = await client.api.txStatus(ballot.txId).catch(() => undefined);
          if (status?.status !== 'confirmed') missing.push(`node ${node} lacks the transaction of ${ballot.voter}`);
        }
      }),
    );
    if (missing.length === 0 || Date.now() > deadline) return missing;
    await new Promise((r) => setTimeout(r, 200));
  }
}
