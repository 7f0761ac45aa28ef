export const DEMO_ELECTION = 'default';

/** The original project's flow in miniature: six voters, write-in choices, one voter trying twice. */
export const DEMO_VOTERS: ReadonlyArray<{ voter: string; choice: string }> = [
  { voter: 'alice', choice: 'tea' },
  { voter: 'bob', choice: 'coffee' },
  { voter: 'carol', choice: 'tea' },
  { voter: 'dave', choice: 'water' },
  { voter: 'erin', choice: 'coffee' },
  { voter: 'frank', choice: 'tea' },
];
/** The second ballot of a demo voter, which the chain must refuse. */
export const DEMO_DUPLICATE = { voter: 'alice', choice: 'coffee' };
/** Key name of the creator of the demo's own election. */
export const DEMO_OFFICER = 'demo-officer';

/** The codes that mean "the chain said no" rather than "something broke". */
export function isRefusal(code: string): boolean {
  return code.startsWith('BALLOT_') || code.startsWith('ELECTION_') || code === 'TX_DROPPED';
}
