import { ConfigError } from '../../kernel/index.js';
import type { AppInfo } from '../../plugins/http-api/index.js';
import { closest, isPlausible } from '../closest.js';
import { payloadFlags, usageOf, type FlagKind, type PayloadFlags } from './payload-flags.js';

export interface TypeListing {
  type: string;
  flags: Array<{ name: string; kind: FlagKind; required: boolean }>;
  /** Properties reachable only through `--payload`. */
  payloadOnly: string[];
}

/** The app of that id on the node, or one sentence with the nearest id. */
export function findApp(apps: readonly AppInfo[], id: string): AppInfo {
  const app = apps.find((candidate) => candidate.id === id);
  if (app) return app;
  const ids = apps.map((candidate) => candidate.id);
  const guess = closest(id, ids);
  const hint = guess && isPlausible(id, guess) ? `; did you mean ${guess.value}?` : '';
  throw new ConfigError('APP_UNKNOWN', `this node's chain runs no app '${id}'${hint} (it runs: ${ids.join(', ') || 'none'})`, {
    apps: ids,
  });
}

/** The flags of each transaction type of `app`. */
export function typeListings(app: AppInfo, reserved: ReadonlySet<string>): TypeListing[] {
  return app.txTypes.map((type) => {
    const spec = flagsOf(app, type, reserved);
    return {
      type,
      flags: spec.flags.map((flag) => ({ name: flag.property, kind: flag.kind, required: flag.required })),
      payloadOnly: spec.payloadOnly,
    };
  });
}

export function flagsOf(app: AppInfo, type: string, reserved: ReadonlySet<string>): PayloadFlags {
  return payloadFlags(app.txSchemas?.[type], reserved);
}

/** `cairn tx notes`: one line per type with the flags it takes. */
export function listingLines(bin: string, app: AppInfo, reserved: ReadonlySet<string>): string[] {
  const lines = [`app ${app.id}${app.description ? ` (${app.description})` : ''}: ${app.txTypes.length} transaction type(s)`];
  for (const type of app.txTypes) {
    const spec = flagsOf(app, type, reserved);
    lines.push(`  ${[`${bin} tx ${app.id} ${type}`, ...spec.flags.map(usageOf)].join(' ')}`);
    if (spec.payloadOnly.length > 0) lines.push(`    (${spec.payloadOnly.join(', ')}: only through --payload JSON)`);
  }
  return lines;
}

/** The sentence for a type the app does not have, with the nearest one. */
export function unknownType(app: AppInfo, type: string): ConfigError {
  const guess = closest(type, app.txTypes);
  const hint = guess && isPlausible(type, guess) ? `; did you mean ${guess.value}?` : '';
  return new ConfigError(
    'TX_TYPE_UNKNOWN',
    `app '${app.id}' has no transaction type '${type}'${hint} (it has: ${app.txTypes.join(', ') || 'none'})`,
  );
}
