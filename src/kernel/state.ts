import type { StateView, StateWriter } from './app.js';

/** A raw state layer: values are JSON text, so every `get` hands out a fresh copy. */
export interface StateLayer {
  getRaw(app: string, key: string): string | undefined;
  /** Keys of `app` that start with `prefix`, possibly unsorted, possibly including deleted ones. */
  keys(app: string, prefix: string): Iterable<string>;
}

/** [app, key, previous JSON value or null when the key did not exist]: enough to undo a block. */
export type UndoEntry = [string, string, string | null];

/** The committed state of every app at the tip, held in memory and mirrored in the store. */
export class BaseState implements StateLayer {
  private readonly apps = new Map<string, Map<string, string>>();

  getRaw(app: string, key: string): string | undefined {
    return this.apps.get(app)?.get(key);
  }

  keys(app: string, prefix: string): Iterable<string> {
    const map = this.apps.get(app);
    if (!map) return [];
    return [...map.keys()].filter((k) => k.startsWith(prefix));
  }

  setRaw(app: string, key: string, value: string | null): void {
    let map = this.apps.get(app);
    if (value === null) {
      map?.delete(key);
      return;
    }
    if (!map) this.apps.set(app, (map = new Map()));
    map.set(key, value);
  }

  *all(): Iterable<[string, string, string]> {
    for (const [app, map] of this.apps) for (const [key, value] of map) yield [app, key, value];
  }
}

/**
 * Changes on top of another layer, kept apart until committed. Blocks are validated in an
 * overlay (a failed block leaves no trace), the mempool judges transactions in one over the
 * tip, and a reorg stacks disconnects and connects in one before a single atomic write.
 */
export class StateOverlay implements StateLayer {
  private readonly changes = new Map<string, Map<string, string | null>>();

  constructor(readonly base: StateLayer) {}

  getRaw(app: string, key: string): string | undefined {
    const changed = this.changes.get(app);
    if (changed?.has(key)) return changed.get(key) ?? undefined;
    return this.base.getRaw(app, key);
  }

  keys(app: string, prefix: string): Iterable<string> {
    const changed = this.changes.get(app);
    const base = this.base.keys(app, prefix);
    if (!changed) return base;
    const all = new Set(base);
    for (const key of changed.keys()) if (key.startsWith(prefix)) all.add(key);
    return all;
  }

  setRaw(app: string, key: string, value: string | null): void {
    let changed = this.changes.get(app);
    if (!changed) this.changes.set(app, (changed = new Map()));
    changed.set(key, value);
  }

  *changed(): Iterable<[string, string, string | null]> {
    for (const [app, map] of this.changes) for (const [key, value] of map) yield [app, key, value];
  }

  /** What the layer below held for every key this overlay changed. */
  undo(): UndoEntry[] {
    const entries: UndoEntry[] = [];
    for (const [app, key] of this.changed()) entries.push([app, key, this.base.getRaw(app, key) ?? null]);
    return entries;
  }

  /** Pushes these changes into `target` (normally the layer below). */
  mergeInto(target: { setRaw(app: string, key: string, value: string | null): void }): void {
    for (const [app, key, value] of this.changed()) target.setRaw(app, key, value);
  }

  view(app: string): StateWriter {
    return new AppStateView(this, app);
  }
}

/** One app's namespace of a layer; values go in and come out as JSON. */
export class AppStateView implements StateWriter {
  constructor(
    private readonly layer: StateLayer & { setRaw?(app: string, key: string, value: string | null): void },
    private readonly app: string,
  ) {}

  get<T = unknown>(key: string): T | undefined {
    const raw = this.layer.getRaw(this.app, key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }

  has(key: string): boolean {
    return this.layer.getRaw(this.app, key) !== undefined;
  }

  entries<T = unknown>(prefix: string): Array<[string, T]> {
    const out: Array<[string, T]> = [];
    for (const key of [...this.layer.keys(this.app, prefix)].sort()) {
      const raw = this.layer.getRaw(this.app, key);
      if (raw !== undefined) out.push([key, JSON.parse(raw) as T]);
    }
    return out;
  }

  put(key: string, value: unknown): void {
    if (!this.layer.setRaw) throw new TypeError('this state view is read-only');
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`state value for '${key}' is not JSON`);
    this.layer.setRaw(this.app, key, text);
  }

  del(key: string): void {
    if (!this.layer.setRaw) throw new TypeError('this state view is read-only');
    this.layer.setRaw(this.app, key, null);
  }
}

export function readOnlyView(layer: StateLayer, app: string): StateView {
  return new AppStateView({ getRaw: (a, k) => layer.getRaw(a, k), keys: (a, p) => layer.keys(a, p) }, app);
}
