import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/apps/voting/index.js';
import { Devnet } from '../../src/cli/devnet/devnet.js';
import { VotingClient } from '../../src/cli/voting/voting-client.js';
import { Keystore } from '../../src/kernel/keystore.js';
import { waitFor } from '../support/wait.js';

const VOTERS = 100;
const NODES = 3;

/** Each voter's choice in each election: a fixed rule, so the expected tally is known in advance. */
const ELECTIONS = [
  { id: 'default', choices: [] as string[], choose: (v: number) => `option-${v % 4}` },
  { id: 'colour', choices: ['red', 'green', 'blue'], choose: (v: number) => ['red', 'green', 'blue'][v % 3]! },
  { id: 'board', choices: ['yes', 'no'], choose: (v: number) => (v % 5 === 0 ? 'no' : 'yes') },
];

function expectedTally(election: (typeof ELECTIONS)[number]): Tally['choices'] {
  const counts = new Map<string, number>(election.choices.map((c) => [c, 0]));
  for (let v = 0; v < VOTERS; v++) {
    const c = election.choose(v);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  return [...counts]
    .map(([choice, votes]) => ({ choice, votes }))
    .sort((a, b) => b.votes - a.votes || (a.choice < b.choice ? -1 : a.choice > b.choice ? 1 : 0));
}

/** Runs `tasks` with at most `limit` at a time. */
async function inPool<T>(limit: number, tasks: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

const keyDir = mkdtempSync(path.join(tmpdir(), 'cairn-voters-'));
const devnet = new Devnet({ nodes: NODES, blockTime: 1 });
afterAll(async () => {
  await devnet.stop();
  rmSync(keyDir, { recursive: true, force: true });
});

describe('a devnet of 3 nodes running the voting app', () => {
  it('counts 300 ballots from 100 voters, cast through every node, to the exact same tally on all nodes', async () => {
    await devnet.start();
    await devnet.waitUntilConnected();
    const keystore = new Keystore(keyDir);
    const clients = devnet.nodes.map((_, i) => new VotingClient(devnet.client(i), keystore));
    const voters = Array.from({ length: VOTERS }, (_, v) => `voter-${v}`);

    // Two more elections, opened through node 0; `board` takes only the 100 listed keys.
    const keys = voters.map((name) => clients[0]!.voter(name).publicKey);
    const opened = await Promise.all([
      clients[0]!.open({ id: 'colour', title: 'Colour', choices: ELECTIONS[1]!.choices }, 'organiser', { timeoutMs: 30_000 }),
      clients[0]!.open({ id: 'board', title: 'Board', choices: ELECTIONS[2]!.choices, eligibility: { voters: keys } }, 'organiser', {
        timeoutMs: 30_000,
      }),
    ]);
    for (const client of clients) for (const { txId } of opened) await client.waitUntilCounted(txId, { timeoutMs: 30_000 });

    // 300 ballots, each election's ballots of one voter through a different node.
    const started = Date.now();
    const submitted = await inPool(
      12,
      voters.flatMap((voter, v) =>
        ELECTIONS.map((election, e) => () => clients[(v + e) % NODES]!.cast(election.id, election.choose(v), voter, { wait: false })),
      ),
    );
    expect(submitted).toHaveLength(VOTERS * ELECTIONS.length);
    expect(submitted.every((s) => !s.known)).toBe(true);

    await waitFor(
      'every node to count all 300 ballots',
      async () => {
        const tallies = await Promise.all(clients.flatMap((c) => ELECTIONS.map((e) => c.tally(e.id))));
        return tallies.every((t) => t.turnout === VOTERS);
      },
      90_000,
      250,
    );
    const elapsed = Date.now() - started;

    for (const [i, client] of clients.entries()) {
      for (const election of ELECTIONS) {
        const tally = await client.tally(election.id);
        expect(tally.choices, `node ${i}, election ${election.id}`).toEqual(expectedTally(election));
        expect(tally.turnout).toBe(VOTERS);
      }
    }
    // Each node's receipt names a block of its own best chain that holds the ballot.
    for (const v of [0, 37, 99]) {
      for (const client of clients) {
        const receipt = await client.receipt('board', keys[v]!);
        expect(receipt).toMatchObject({ counted: true, choice: ELECTIONS[2]!.choose(v) });
        if (!receipt.counted) continue;
        const { blocks } = await client.api.blocks(receipt.height, 1);
        expect(blocks[0]!.hash).toBe(receipt.blockHash);
        expect(blocks[0]!.txIds).toContain(receipt.txId);
      }
    }
    console.log(`300 ballots counted on all ${NODES} nodes in ${(elapsed / 1000).toFixed(1)} s`);
  }, 180_000);
});
