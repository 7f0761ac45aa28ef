import { onTestFailed } from 'vitest';
import type { DemoResult } from '../../src/cli/devnet/demo-types.js';
import { VotingClient } from '../../src/cli/voting/voting-client.js';
import { Keystore } from '../../src/kernel/keystore.js';
import type { ApiClient } from '../../src/plugins/http-api/index.js';
import { runCairn } from './processes.js';

/**
 * The seed of a randomised run: CAIRN_TEST_SEED (or CAIRN_SEED, which the memory-network helpers
 * read) when set, else a fresh one. Printed if the test fails, so the run can be replayed.
 */
export function testSeed(): number {
  const given = process.env.CAIRN_TEST_SEED ?? process.env.CAIRN_SEED;
  const seed = given === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(given);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`CAIRN_TEST_SEED must be a whole number ≥ 0, not '${given}'`);
  onTestFailed(() => console.error(`seed ${seed}: replay with CAIRN_TEST_SEED=${seed}`));
  return seed;
}

/** The kernel's seeded generator, for the choices a test makes itself (which node, which choice). */
export { seededRandom } from '../../src/kernel/seeded-random.js';

export interface DemoRun {
  code: number | null;
  /** Every JSON line, in order. */
  events: Array<{ event: string; [key: string]: unknown }>;
  demo?: DemoResult;
  stdout: string;
  stderr: string;
}

/** `cairn devnet --demo --json ARGS` to its end. */
export async function runDemo(args: string[], timeoutMs = 120_000): Promise<DemoRun> {
  const run = await runCairn(['devnet', '--demo', '--json', ...args], { timeoutMs });
  // One JSON object per line while it runs; an error at the end is printed as indented JSON.
  const events = run.stdout
    .split('\n')
    .filter((l) => l.startsWith('{') && l.endsWith('}'))
    .map((l) => JSON.parse(l) as DemoRun['events'][number]);
  const demo = events.find((e) => e.event === 'demo') as unknown as DemoResult | undefined;
  return { code: run.code, events, demo, stdout: run.stdout, stderr: run.stderr };
}

/** What to show when a demo run fails an expectation: its failures, or its output. */
export function explain(run: DemoRun): string {
  if (run.demo?.failures.length) return run.demo.failures.join('\n');
  return `exit ${run.code}\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-2000)}`;
}

export interface AcknowledgedBallot {
  voter: string;
  publicKey: string;
  choice: string;
  txId: string;
  /** Index of the node it went through, in the list given to the workload. */
  node: number;
}

/**
 * Ballots of fresh voters in election `default`, one at a time per lane, through a node picked
 * by the seed. A ballot is acknowledged when its node accepted it and then reported it on its
 * best chain; the rest (node down, refused connection) are only counted.
 */
export class BallotWorkload {
  readonly acknowledged: AcknowledgedBallot[] = [];
  failures = 0;
  private running = false;
  private lanes: Promise<void>[] = [];
  private count = 0;
  private readonly keystore: Keystore;

  constructor(
    private readonly api: (index: number) => ApiClient | undefined,
    private readonly nodeCount: number,
    private readonly random: () => number,
    keyDir: string,
  ) {
    this.keystore = new Keystore(keyDir);
  }

  /** Casts ballots on `lanes` concurrent lanes until `stop()`, or until `limit` ballots were tried. */
  start(options: { lanes?: number; pauseMs?: number; limit?: number } = {}): void {
    this.running = true;
    for (let i = 0; i < (options.lanes ?? 2); i++) this.lanes.push(this.lane(options.pauseMs ?? 100, options.limit ?? Infinity));
  }

  /** Resolves once every lane has ended: after `stop()`, or once the limit was reached. */
  async done(): Promise<void> {
    await Promise.all(this.lanes);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done();
  }

  private async lane(pauseMs: number, limit: number): Promise<void> {
    while (this.running && this.count < limit) {
      const n = this.count++;
      const node = Math.floor(this.random() * this.nodeCount);
      const choice = ['tea', 'coffee', 'water'][Math.floor(this.random() * 3)]!;
      const api = this.api(node);
      if (api) {
        const voter = `voter-${n}`;
        try {
          const client = new VotingClient(api, this.keystore);
          const { txId, from, counted } = await client.cast('default', choice, voter, { timeoutMs: 20_000 });
          if (counted) this.acknowledged.push({ voter, publicKey: from, choice, txId, node });
        } catch {
          this.failures++;
        }
      }
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  }
}
