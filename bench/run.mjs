#!/usr/bin/env node
// Benchmark runner: `npm run bench` runs every section, `npm run bench -- hashing` only the named ones.
// A section is a module exporting `title` and `run()`, which resolves to { rows, notes }: rows are
// [measure, value, goal] triples printed as one table. Sections import compiled code from dist/.
import 'reflect-metadata';
import { printSection } from './table.mjs';

const sections = {
  hashing: () => import('./hashing.mjs'),
  network: () => import('./network.mjs'),
  edge: () => import('./edge.mjs'),
  voting: () => import('./voting.mjs'),
  'voting-devnet': () => import('./voting-devnet.mjs'),
  elections: () => import('./elections.mjs'),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in sections));
if (unknown.length > 0) {
  process.stderr.write(`unknown bench section(s): ${unknown.join(', ')} (known: ${Object.keys(sections).join(', ')})\n`);
  process.exit(2);
}

for (const name of wanted.length > 0 ? wanted : Object.keys(sections)) {
  const section = await sections[name]();
  const started = performance.now();
  const result = await section.run();
  printSection(section.title, result, performance.now() - started);
}
