import { describe, expect, it } from 'vitest';
import type { Tally } from '../../src/apps/voting/index.js';
import { addBallots, compareCounts, demoFailures, sameCounts } from '../../src/cli/devnet/demo-oracle.js';
import type { DemoNode } from '../../src/cli/devnet/demo-types.js';
import { expectFaults } from '../../src/cli/devnet/fault-detection.js';
import { chooseMode } from '../../src/cli/devnet/session.js';

const tally = (choices: Tally['choices']): Tally => ({
  election: 'default',
  choices,
  turnout: choices.reduce((n, c) => n + c.votes, 0),
  closed: false,
  closesAt: null,
});

const agreeing: DemoNode = { index: 0, apiUrl: 'http://127.0.0.1:1', agrees: true, lost: 0, doubled: 0, invalid: 0 };
const duplicate = { voter: 'alice', choice: 'coffee', node: 1, code: 'BALLOT_DUPLICATE', message: 'already voted' };

describe('the devnet demo oracle', () => {
  it('adds the ballots to the tally before the demo, most votes first, ties by name', () => {
    const before = tally([{ choice: 'water', votes: 2 }]);
    expect(addBallots(before, [{ choice: 'tea' }, { choice: 'coffee' }, { choice: 'tea' }])).toEqual([
      { choice: 'tea', votes: 2 },
      { choice: 'water', votes: 2 },
      { choice: 'coffee', votes: 1 },
    ]);
  });

  it('tells lost, doubled and invalid votes apart', () => {
    const expected = [
      { choice: 'tea', votes: 3 },
      { choice: 'coffee', votes: 2 },
    ];
    const got = tally([
      { choice: 'tea', votes: 4 },
      { choice: 'coffee', votes: 1 },
      { choice: 'junk', votes: 2 },
    ]);
    expect(compareCounts(got, expected)).toEqual({ lost: 1, doubled: 1, invalid: 2 });
    expect(sameCounts(got, expected)).toBe(false);
    expect(sameCounts(tally([...expected].reverse()), expected)).toBe(true);
  });

  it('passes when every node agrees on one tip and only the duplicate was refused', () => {
    const seen = { missing: [], agreement: { tip: 'ab', seen: '' }, via: '', nodes: [agreeing], refused: [duplicate] };
    expect(demoFailures(seen)).toEqual([]);
  });

  it('names every failed condition, in order', () => {
    const differing: DemoNode = { ...agreeing, index: 1, agrees: false, tally: tally([{ choice: 'tea', votes: 1 }]), lost: 5 };
    const crashed: DemoNode = { ...agreeing, index: 2, agrees: false, crashed: true };
    const failures = demoFailures({
      missing: ['node 1 lacks the transaction of bob'],
      agreement: { seen: '3:aaaa, 4:bbbb' },
      via: 'honest ',
      nodes: [differing, crashed],
      refused: [{ ...duplicate, voter: 'bob', code: 'TX_DROPPED', message: 'dropped' }],
      detection: { ...expectFaults(['bad-pow']), detected: false, how: 'no rejection of bad-pow', nodes: [] },
    });
    expect(failures).toEqual([
      'not every node counted every ballot in time: node 1 lacks the transaction of bob',
      'the honest nodes are not on one tip: 3:aaaa, 4:bbbb',
      'node 1 counts tea 1 (lost 5, doubled 0, invalid 0)',
      'honest node 2 crashed',
      'the duplicate ballot of alice was not refused',
      'the ballot of bob was refused: dropped',
      'the malicious node was not detected: no rejection of bad-pow',
    ]);
  });
});

describe('cairn devnet mode', () => {
  it('demo with --demo, watch with --no-demo or without voting, else the prompt in a terminal and the demo elsewhere', () => {
    expect(chooseMode(true, true, true, false)).toBe('demo');
    expect(chooseMode(true, false, false, false)).toBe('no-voting');
    expect(chooseMode(false, true, true, false)).toBe('watch');
    expect(chooseMode(undefined, false, true, false)).toBe('watch');
    expect(chooseMode(undefined, true, false, false)).toBe('demo');
    expect(chooseMode(undefined, true, true, false)).toBe('prompt');
    expect(chooseMode(undefined, true, true, true)).toBe('watch');
  });
});
