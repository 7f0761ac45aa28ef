import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ChainApp } from '../kernel/index.js';
import { ConfigError } from '../kernel/index.js';

/**
 * Apps shipped with cairn, by name. Loaded lazily so that a node pays only for the apps it runs.
 */
const BUILTIN_APPS: Record<string, () => Promise<unknown>> = {
  voting: () => import('./voting/index.js'),
};

export function builtinAppNames(): string[] {
  return Object.keys(BUILTIN_APPS).sort();
}

function looksLikePath(spec: string): boolean {
  if (spec.startsWith('.') || path.isAbsolute(spec)) return true;
  // `@scope/name` is a package; `apps/mine` or `mine.js` a path.
  if (spec.startsWith('@')) return false;
  return spec.includes(path.sep) || /\.[cm]?js$/.test(spec);
}

function isModuleMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED';
}

async function importSpec(spec: string): Promise<unknown> {
  const builtin = BUILTIN_APPS[spec];
  if (builtin) return builtin();
  if (looksLikePath(spec)) {
    const file = path.resolve(spec);
    if (!existsSync(file)) throw new ConfigError('APP_NOT_FOUND', `app '${spec}' not found: there is no file ${file}`, { app: spec });
    const entry = statSync(file).isDirectory() ? packageEntry(file, spec) : file;
    return importOrExplain(pathToFileURL(entry).href, spec);
  }
  // A package: first as cairn itself resolves it, then from the working directory's node_modules.
  try {
    return await import(spec);
  } catch (err) {
    if (!isModuleMissing(err)) throw loadFailed(spec, err);
  }
  let resolved: string;
  try {
    resolved = createRequire(path.join(process.cwd(), 'package.json')).resolve(spec);
  } catch {
    const known = builtinAppNames();
    const hint = known.length > 0 ? `a built-in app (${known.join(', ')}), ` : '';
    throw new ConfigError('APP_NOT_FOUND', `app '${spec}' not found: it is not ${hint}a file or an installed package`, { app: spec });
  }
  return importOrExplain(pathToFileURL(resolved).href, spec);
}

/** The ES entry point a package directory declares: `exports['.']` (its import/default condition), else `main`, else index.js. */
function packageEntry(dir: string, spec: string): string {
  const manifest = path.join(dir, 'package.json');
  if (!existsSync(manifest))
    throw new ConfigError('APP_NOT_FOUND', `app '${spec}' not found: the directory ${dir} has no package.json`, { app: spec });
  let pkg: { main?: unknown; exports?: unknown };
  try {
    pkg = JSON.parse(readFileSync(manifest, 'utf8')) as typeof pkg;
  } catch (err) {
    throw new ConfigError('APP_INVALID', `app '${spec}' has an unreadable package.json: ${(err as Error).message}`, { app: spec });
  }
  const target = exportTarget(pkg.exports) ?? (typeof pkg.main === 'string' ? pkg.main : 'index.js');
  const entry = path.resolve(dir, target);
  if (!existsSync(entry)) {
    throw new ConfigError('APP_NOT_BUILT', `app '${spec}' has no ${target}: build it first (npm run build in ${dir})`, {
      app: spec,
      entry,
    });
  }
  return entry;
}

function exportTarget(exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports;
  if (!exports || typeof exports !== 'object') return undefined;
  const map = exports as Record<string, unknown>;
  // Either a map of subpaths ('.', './x') or the conditions of '.' itself.
  const root = Object.keys(map).some((k) => k.startsWith('.')) ? map['.'] : map;
  if (typeof root === 'string') return root;
  if (!root || typeof root !== 'object') return undefined;
  const conditions = root as Record<string, unknown>;
  for (const condition of ['import', 'node', 'default']) {
    const value = conditions[condition];
    if (typeof value === 'string') return value;
    const nested = exportTarget(value);
    if (nested) return nested;
  }
  return undefined;
}

async function importOrExplain(url: string, spec: string): Promise<unknown> {
  try {
    return await import(url);
  } catch (err) {
    throw loadFailed(spec, err);
  }
}

function loadFailed(spec: string, err: unknown): ConfigError {
  return new ConfigError('APP_INVALID', `app '${spec}' failed to load: ${(err as Error).message ?? String(err)}`, { app: spec });
}

/** The app a module exports: its default export, an `app` export, or the module value itself. */
export function appFromModule(mod: unknown, spec: string): ChainApp {
  const m = mod as { default?: unknown; app?: unknown } | undefined;
  const candidate = (m?.default ?? m?.app ?? m) as Partial<ChainApp> | undefined;
  const invalid = (why: string) => new ConfigError('APP_INVALID', `app '${spec}' is not a chain app: ${why}`, { app: spec });
  if (!candidate || typeof candidate !== 'object') throw invalid('it exports no app (use a default export or `export const app`)');
  if (typeof candidate.id !== 'string' || !/^[a-z][a-z0-9-]{0,63}$/.test(candidate.id)) throw invalid('its id must be a lowercase name');
  if (!candidate.tx || typeof candidate.tx !== 'object') throw invalid('it has no `tx` handlers');
  for (const [type, handler] of Object.entries(candidate.tx)) {
    if (!handler || typeof handler.schema !== 'object' || typeof handler.apply !== 'function') {
      throw invalid(`transaction type '${type}' needs a schema and an apply function`);
    }
    if (handler.check !== undefined && typeof handler.check !== 'function')
      throw invalid(`the check of transaction type '${type}' is not a function`);
  }
  if (!candidate.queries || typeof candidate.queries !== 'object') throw invalid('it has no `queries`');
  for (const [name, query] of Object.entries(candidate.queries)) {
    if (typeof query !== 'function') throw invalid(`query '${name}' is not a function`);
  }
  return candidate as ChainApp;
}

/**
 * Loads the apps a chain's genesis names, by id, when `--app` was not given. Only built-in apps
 * can be found from an id alone; any other must be named again with `--app`.
 */
export async function loadChainApps(ids: readonly string[]): Promise<ChainApp[]> {
  for (const id of ids) {
    if (!(id in BUILTIN_APPS))
      throw new ConfigError(
        'APP_NOT_FOUND',
        `the chain runs app '${id}', which is not built in: load it with --app and its module path or package name`,
        { app: id },
      );
  }
  return loadApps(ids);
}

/** Loads the apps named on the command line: built-in names, module paths or installed packages. */
export async function loadApps(specs: readonly string[]): Promise<ChainApp[]> {
  const apps: ChainApp[] = [];
  const seen = new Map<string, string>();
  for (const spec of specs) {
    const app = appFromModule(await importSpec(spec), spec);
    const other = seen.get(app.id);
    if (other !== undefined)
      throw new ConfigError('APP_DUPLICATE', `apps '${other}' and '${spec}' both have the id '${app.id}'`, { app: app.id });
    seen.set(app.id, spec);
    apps.push(app);
  }
  return apps;
}
