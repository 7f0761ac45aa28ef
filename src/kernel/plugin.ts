import 'reflect-metadata';
import type { DependencyContainer } from 'tsyringe';
import type { NodeConfig } from './config.js';
import { ConfigError, WiringError } from './errors.js';
import type { ChainParams } from './params.js';
import { tokenName, type Token } from './tokens.js';

export interface PluginContext {
  readonly config: NodeConfig;
  readonly params: ChainParams;
}

/**
 * A plugin is a value made by a factory (`levelStore()`), not a subclass: it says which
 * tokens it provides and which it needs, and registers providers in the node's own child
 * container. The kernel checks every need before anything starts.
 */
export interface Plugin {
  readonly name: string;
  readonly provides: readonly Token[];
  readonly needs?: readonly Token[];
  register(container: DependencyContainer, context: PluginContext): void;
}

export type PluginFactory = (options?: Record<string, unknown>) => Plugin;

/** Plugins by name, so commands and config files can pick them as strings. */
export class PluginRegistry {
  private readonly factories = new Map<string, PluginFactory>();

  add(name: string, factory: PluginFactory): this {
    this.factories.set(name, factory);
    return this;
  }

  names(): string[] {
    return [...this.factories.keys()].sort();
  }

  create(name: string, options?: Record<string, unknown>): Plugin {
    const factory = this.factories.get(name);
    if (!factory) throw new ConfigError('PLUGIN_UNKNOWN', `unknown plugin '${name}' (known: ${this.names().join(', ')})`);
    return factory(options);
  }
}

/**
 * Orders plugins so that each comes after the providers of what it needs (start order);
 * stop runs the reverse. Fails with the plugin and token when a need has no provider,
 * two plugins provide one token, or needs form a cycle.
 */
export function orderPlugins(plugins: readonly Plugin[]): Plugin[] {
  const provider = new Map<Token, Plugin>();
  for (const plugin of plugins) {
    for (const token of plugin.provides) {
      const other = provider.get(token);
      if (other) {
        throw new WiringError('WIRING_CONFLICT', `plugins '${other.name}' and '${plugin.name}' both provide ${tokenName(token)}`, {
          token: tokenName(token),
        });
      }
      provider.set(token, plugin);
    }
  }
  const ordered: Plugin[] = [];
  const state = new Map<Plugin, 'visiting' | 'done'>();
  const visit = (plugin: Plugin, path: string[]): void => {
    const seen = state.get(plugin);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      throw new WiringError('WIRING_CYCLE', `plugins depend on each other in a cycle: ${[...path, plugin.name].join(' -> ')}`);
    }
    state.set(plugin, 'visiting');
    for (const token of plugin.needs ?? []) {
      const dep = provider.get(token);
      if (!dep) {
        throw new WiringError('WIRING_MISSING', `plugin '${plugin.name}' needs ${tokenName(token)}, which no plugin provides`, {
          plugin: plugin.name,
          token: tokenName(token),
        });
      }
      if (dep !== plugin) visit(dep, [...path, plugin.name]);
    }
    state.set(plugin, 'done');
    ordered.push(plugin);
  };
  for (const plugin of plugins) visit(plugin, []);
  return ordered;
}

/**
 * Services call this with their constructor arguments: tsyringe passes `undefined` for a
 * parameter it could not resolve instead of failing, so the failure is made loud here.
 */
export function assertWired(owner: string, deps: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(deps)) {
    if (value === undefined || value === null) {
      throw new WiringError(
        'WIRING_UNDEFINED',
        `${owner} was given no ${name}: its injection token is not registered or decorator metadata is missing`,
        {
          owner,
          dependency: name,
        },
      );
    }
  }
}

/** Where `@inject` records its tokens: tsyringe's INJECTION_TOKEN_METADATA_KEY, which it does not export. */
const INJECTION_TOKENS = 'injectionTokens';

/** What tsyringe records for a constructor parameter: the token itself, or a descriptor holding it. */
type InjectionRecord = Token | { token: unknown; isOptional?: boolean };

/**
 * The tokens a class's constructor injects, read from the metadata `@inject` leaves (the same
 * record tsyringe resolves by), so a plugin's `needs` cannot drift from what it really takes.
 * Optional parameters are not needs.
 */
export function needsOf(target: abstract new (...args: never[]) => unknown): Token[] {
  const records = (Reflect.getOwnMetadata(INJECTION_TOKENS, target) ?? {}) as Record<string, InjectionRecord>;
  const needs: Token[] = [];
  for (const index of Object.keys(records).sort((a, b) => Number(a) - Number(b))) {
    const record = records[index]!;
    const token = typeof record === 'object' ? record.token : record;
    if (typeof record === 'object' && record.isOptional) continue;
    if (typeof token === 'symbol' && !needs.includes(token)) needs.push(token);
  }
  return needs;
}
