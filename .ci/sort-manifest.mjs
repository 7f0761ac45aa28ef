// `oclif manifest` lists commands in directory-read order, which differs between file systems
// and clones; sorting by id makes the committed manifest reproducible, so CI can diff it.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../oclif.manifest.json', import.meta.url);
const manifest = JSON.parse(readFileSync(file, 'utf8'));
manifest.commands = Object.fromEntries(Object.entries(manifest.commands).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(file, JSON.stringify(manifest, null, 2) + '\n');
