/**
 * The `devnet --demo --secret` script: three trustees (any two decrypt), five voters through
 * different nodes, one revote, one Benaloh audit, and trustee 2 offline when the time comes to
 * decrypt.
 */
export const SECRET_DEMO_CHOICES = ['tea', 'coffee', 'water'];
export const SECRET_DEMO_TRUSTEES = ['trustee-1', 'trustee-2', 'trustee-3'];
export const SECRET_DEMO_THRESHOLD = 2;
/** The trustee that never decrypts: the other two are enough. */
export const SECRET_DEMO_OFFLINE = 'trustee-2';
export const SECRET_DEMO_OFFICER = 'demo-officer';

export const SECRET_DEMO_BALLOTS: ReadonlyArray<{ voter: string; choice: string }> = [
  { voter: 'alice', choice: 'tea' },
  { voter: 'bob', choice: 'coffee' },
  { voter: 'carol', choice: 'tea' },
  { voter: 'dave', choice: 'water' },
  { voter: 'erin', choice: 'coffee' },
];
/** Bob changes his mind: his second ballot replaces the first. */
export const SECRET_DEMO_REVOTE = { voter: 'bob', choice: 'tea' };
/** Erin challenges her device once before casting: that ballot is opened and spoiled. */
export const SECRET_DEMO_AUDIT = { voter: 'erin', choice: 'coffee' };

/** The counts the demo's ballots must decrypt to, in choice order. */
export function secretDemoExpected(): number[] {
  const last = new Map(SECRET_DEMO_BALLOTS.map((b) => [b.voter, b.choice]));
  last.set(SECRET_DEMO_REVOTE.voter, SECRET_DEMO_REVOTE.choice);
  return SECRET_DEMO_CHOICES.map((c) => [...last.values()].filter((v) => v === c).length);
}
