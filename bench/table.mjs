/** Prints one bench section as an aligned table: measure | value | goal, then notes. */
export function printSection(title, { rows, notes = [] }, elapsedMs) {
  const header = ['measure', 'value', 'goal'];
  const cells = [header, ...rows.map((row) => row.map((cell) => String(cell ?? '')))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const out = [`\n== ${title} (${(elapsedMs / 1000).toFixed(1)} s) ==`, line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of cells.slice(1)) out.push(line(row));
  for (const note of notes) out.push(`  * ${note}`);
  process.stdout.write(out.join('\n') + '\n');
}

export function formatRate(perSecond) {
  return perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)} M/s` : `${Math.round(perSecond / 1e3)} k/s`;
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
