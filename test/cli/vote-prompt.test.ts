import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CAIRN_BIN } from '../support/processes.js';
import { HAS_SCRIPT, KEY, TerminalSession } from '../support/terminal.js';
import { startVotingNode, type VotingNode } from '../support/voting-node.js';

let node: VotingNode;
const sessions: TerminalSession[] = [];
beforeAll(async () => {
  if (!HAS_SCRIPT) return;
  node = await startVotingNode();
  // A second election, so the prompt asks which one (offering `default` first).
  await node.voting.open({ id: 'lunch', title: 'Lunch', choices: ['pizza', 'salad'] }, 'carol', { timeoutMs: 20_000 });
});
afterEach(() => {
  for (const s of sessions.splice(0)) s.kill();
});
afterAll(async () => {
  await node?.stop();
});

function vote(): TerminalSession {
  const session = new TerminalSession([process.execPath, CAIRN_BIN, 'vote', ...node.args]);
  sessions.push(session);
  return session;
}

describe.skipIf(!HAS_SCRIPT)('cairn vote in a terminal', () => {
  it('adds ballots (voter, election, choice), refuses a second ballot of one voter, displays the tally, and quits', async () => {
    const t = vote();
    await t.expect(/voter ids are key names in \S+keys/);

    await t.expect(/What would you like to do\?/);
    t.type(KEY.enter); // Add a ballot
    await t.expect(/Voter id \(a key name\):/);
    t.type('ann' + KEY.enter);
    await t.expect(/Election:[\s\S]*❯ default: Default election/);
    t.type(KEY.enter);
    await t.expect(/Your choice \(write-in\):/);
    t.type('tea' + KEY.enter);
    // The key is kept once the node accepts the ballot, and said then.
    await t.expect(/created key 'ann' \([0-9a-f]{64}\) in \S+ann\.json/);
    await t.expect(/mining… ballot [0-9a-f]{12}/);
    const counted = await t.expect(/counted in block (\d+) \(hash ([0-9a-f]{64})\)/);
    await t.expect(/'ann' voted 'tea' in election default/);

    // The same voter again (the prompt offers the last voter id): the chain refuses, the menu returns.
    await t.expect(/What would you like to do\?/);
    t.type(KEY.enter);
    await t.expect(/Voter id \(a key name\):/);
    t.type(KEY.enter);
    await t.expect(/Election:/);
    t.type(KEY.enter);
    await t.expect(/Your choice \(write-in\):/);
    t.type('coffee' + KEY.enter);
    await t.expect(/refused: 'ann' has already voted in election 'default', and a voter gets one ballot \(BALLOT_DUPLICATE\)/);

    // Another voter in the fixed-choice election.
    await t.expect(/What would you like to do\?/);
    t.type(KEY.enter);
    await t.expect(/Voter id \(a key name\):/);
    t.type('ben' + KEY.enter);
    await t.expect(/Election:/);
    t.type(KEY.down + KEY.enter);
    await t.expect(/Your choice:[\s\S]*❯ pizza/);
    t.type(KEY.down + KEY.enter);
    await t.expect(/counted in block \d+/);
    await t.expect(/'ben' voted 'salad' in election lunch/);

    await t.expect(/What would you like to do\?/);
    t.type(KEY.down + KEY.enter); // Display the tally
    await t.expect(/Tally of which election\?/);
    t.type(KEY.enter);
    await t.expect(/Election default: Default election +\(open, write-in, at block \d+\)/);
    await t.expect(/CHOICE +VOTES +SHARE\s+tea +1 +█{24} +100\.0%\s+turnout: 1 ballot \(open to any key, one ballot each\)/);

    await t.expect(/What would you like to do\?/);
    t.type(KEY.down + KEY.down + KEY.enter); // Quit
    await t.expect(/bye: 2 ballots counted in this session/);
    expect(await t.exited).toBe(0);
    expect(t.text).not.toMatch(/^\s+at /m);

    // What the prompt reported is what the chain holds.
    expect((await node.voting.tally('default')).choices).toEqual([{ choice: 'tea', votes: 1 }]);
    expect((await node.voting.tally('lunch')).choices).toEqual([
      { choice: 'salad', votes: 1 },
      { choice: 'pizza', votes: 0 },
    ]);
    const receipt = await node.voting.receipt('default', node.voting.publicKeyOf('ann'));
    expect(receipt).toMatchObject({ counted: true, height: Number(counted[1]), blockHash: counted[2] });
  });

  it('ends cleanly on Ctrl-C at a prompt, with no ballot cast', async () => {
    const before = await node.voting.tally('default');
    const t = vote();
    await t.expect(/What would you like to do\?/);
    t.type(KEY.enter);
    await t.expect(/Voter id \(a key name\):/);
    t.type('cleo' + KEY.enter);
    await t.expect(/Election:/);
    t.type(KEY.enter);
    await t.expect(/Your choice \(write-in\):/);
    t.type('tea');
    t.type(KEY.ctrlC);
    await t.expect(/bye: 0 ballots counted in this session/);
    expect(await t.exited).toBe(0);
    expect(t.text).not.toMatch(/Error|^\s+at /m);
    expect(await node.voting.tally('default')).toEqual(before);
  });
});
