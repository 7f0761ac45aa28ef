import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The root of the cairn package this code runs from (dist/cli/app-template → three levels up). */
export const CAIRN_ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/[\\/]+$/, '');

/** The template files, shipped in the package's `templates/` directory (see package.json "files"). */
export const TEMPLATE_DIR = path.join(CAIRN_ROOT, 'templates', 'app');

/** cairn's npm name: scoped, since the bare name `cairn` belongs to an unrelated package. */
export const CAIRN_PACKAGE = '@cairn-chain/cairn';

/** Versions the generated package pins; the same majors cairn itself builds and tests with. */
const DEV_DEPENDENCIES = { '@types/node': '^20.19.0', typescript: '~5.9.0', vitest: '^4.1.0' };

export interface AppTemplateOptions {
  /** The app id, also the package name and the topic of its commands. */
  name: string;
  /** How the package depends on cairn: `file:<this cairn>` by default, or a version range. */
  cairnSpec: string;
}

export interface GeneratedFile {
  /** Relative to the package root, with `/` separators. */
  path: string;
  content: string;
}

/** Every file of a new app package, in a stable order. */
export function appTemplate(options: AppTemplateOptions): GeneratedFile[] {
  const files = templateFiles(TEMPLATE_DIR, '').map((relative) => ({
    path: targetPath(relative, options.name),
    content: substitute(readFileSync(path.join(TEMPLATE_DIR, relative), 'utf8'), options),
  }));
  files.push({ path: 'package.json', content: JSON.stringify(packageJson(options), null, 2) + '\n' });
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function templateFiles(root: string, relative: string): string[] {
  return readdirSync(path.join(root, relative), { withFileTypes: true }).flatMap((entry) => {
    const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
    return entry.isDirectory() ? templateFiles(root, child) : entry.name.endsWith('.tmpl') ? [child] : [];
  });
}

/** `src/commands/__NAME__/sign.ts.tmpl` → `src/commands/guestbook/sign.ts`; `gitignore` → `.gitignore` (npm drops dotfiles named .gitignore). */
function targetPath(relative: string, name: string): string {
  const out = relative.replace(/\.tmpl$/, '').replaceAll('__NAME__', name);
  return out === 'gitignore' ? '.gitignore' : out;
}

function substitute(text: string, options: AppTemplateOptions): string {
  return text.replaceAll('__NAME__', options.name);
}

function packageJson(options: AppTemplateOptions): Record<string, unknown> {
  return {
    name: options.name,
    version: '0.1.0',
    description: `cairn chain app ${options.name}`,
    type: 'module',
    keywords: ['cairn-app', 'oclif-plugin'],
    main: 'dist/index.js',
    types: 'dist/index.d.ts',
    exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' },
    files: ['dist'],
    engines: { node: '>=20' },
    scripts: { build: 'tsc -p tsconfig.build.json', test: 'tsc && vitest run' },
    // Makes the package a cairn CLI plugin: `cairn plugins link .` adds `cairn <name> ...`.
    oclif: { commands: './dist/commands', topicSeparator: ' ', topics: { [options.name]: { description: `The ${options.name} app` } } },
    ...cairnDependency(options.cairnSpec),
  };
}

/**
 * A `file:` cairn is linked, so the app and the CLI that loads it share one cairn. A published
 * cairn is a peer: the cairn that runs the app provides it, and classes such as AppRejection
 * stay the ones the kernel checks with instanceof; the dev copy builds and tests the package.
 */
function cairnDependency(spec: string): Record<string, Record<string, string>> {
  const dep = { [CAIRN_PACKAGE]: spec };
  if (spec.startsWith('file:')) return { dependencies: dep, devDependencies: DEV_DEPENDENCIES };
  return { peerDependencies: dep, devDependencies: { ...DEV_DEPENDENCIES, ...dep } };
}
