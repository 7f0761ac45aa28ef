import type { DifficultyRule } from './difficulty-rule.js';

/** Every block needs the genesis target: predictable block rates for tests and simulation. */
export function fixedRule(initialTarget: string): DifficultyRule {
  return { nextTarget: () => initialTarget, maxTarget: initialTarget };
}
