/** Edit distance (insertions, deletions, substitutions) between two strings. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidate nearest to `target`, with its distance; undefined when there are none. A word
 * cut short is the commonest slip (`node stat` for `node status`), so a candidate that starts
 * with `target` wins over one a letter away (`node start`), the shortest such first.
 */
export function closest(target: string, candidates: Iterable<string>): { value: string; distance: number } | undefined {
  let best: { value: string; distance: number; rank: number } | undefined;
  for (const value of candidates) {
    const distance = editDistance(target, value);
    const rank = value.startsWith(target) ? distance - 1000 : distance;
    if (!best || rank < best.rank) best = { value, distance, rank };
  }
  return best && { value: best.value, distance: best.distance };
}

/**
 * Whether a suggestion is worth making: a typo changes a few characters, so a candidate that
 * shares less than half of the typed word is noise, not a guess.
 */
export function isPlausible(target: string, match: { value: string; distance: number }): boolean {
  return match.value.startsWith(target) || match.distance <= Math.max(2, Math.floor(target.length / 2));
}
