/**
 * cognito-local's DataStore over the sandbox's atomic JSON files: cognito-local's default
 * (StormDB) rewrites its files in place, which a crash mid-write can tear. Same file layout
 * (`<id>.json` in one directory, which cognito-local lists to find pools), same date encoding
 * (keys ending in `Date` hold ISO strings).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DataStore } from 'cognito-local/lib/services/dataStore/dataStore';
import type { DataStoreFactory } from 'cognito-local/lib/services/dataStore/factory';
import type { Context } from 'cognito-local/lib/services/context';
import { JsonStore } from '../../core/state';

type Tree = Record<string, unknown>;

function serialize(value: unknown): string {
  return JSON.stringify(
    value,
    function replacer(this: Record<string, unknown>, key: string, v: unknown) {
      const raw = this[key];
      return key.endsWith('Date') && raw instanceof Date ? raw.toISOString() : v;
    },
    2,
  );
}

/*
 * Deep copy through the file encoding, not structuredClone: the copy's Dates must come from this
 * module's realm, since cognito-local tests `instanceof Date` (under jest the realms differ).
 */
function clone<T>(value: T): T {
  return value === undefined ? value : (revive(serialize(value)) as T);
}

function revive(text: string): Tree {
  return JSON.parse(text, (key: string, value: unknown) =>
    key.endsWith('Date') && (typeof value === 'string' || typeof value === 'number')
      ? new Date(value)
      : value,
  ) as Tree;
}

/** Synchronous underneath; the DataStore interface of cognito-local wants promises. */
class AtomicDataStore implements DataStore {
  constructor(private readonly store: JsonStore<Tree>) {}

  private path(key: string | string[]): string[] {
    return Array.isArray(key) ? key : [key];
  }

  getRoot(_ctx: Context): Promise<never> {
    return Promise.resolve(this.store.get() as never);
  }

  get<T>(_ctx: Context, key: string | string[], defaultValue?: T): Promise<never> {
    let node: unknown = this.store.get();
    for (const part of this.path(key)) {
      node = typeof node === 'object' && node !== null ? (node as Tree)[part] : undefined;
    }
    return Promise.resolve((node ?? defaultValue ?? null) as never);
  }

  set<T>(_ctx: Context, key: string | string[], value: T): Promise<void> {
    const parts = this.path(key);
    this.store.update((root) => {
      let node = root;
      for (const part of parts.slice(0, -1)) {
        const next = node[part];
        node = (typeof next === 'object' && next !== null ? next : (node[part] = {})) as Tree;
      }
      const last = parts[parts.length - 1];
      if (last !== undefined) node[last] = clone(value);
    });
    return Promise.resolve();
  }

  delete(_ctx: Context, key: string | string[]): Promise<void> {
    const parts = this.path(key);
    this.store.update((root) => {
      let node: unknown = root;
      for (const part of parts.slice(0, -1)) {
        node = typeof node === 'object' && node !== null ? (node as Tree)[part] : undefined;
      }
      const last = parts[parts.length - 1];
      if (typeof node === 'object' && node !== null && last !== undefined) {
        delete (node as Tree)[last];
      }
    });
    return Promise.resolve();
  }
}

export class AtomicDataStoreFactory implements DataStoreFactory {
  constructor(private readonly directory: string) {
    mkdirSync(directory, { recursive: true });
  }

  create(_ctx: Context, id: string, defaults: object): Promise<DataStore> {
    const store = new JsonStore<Tree>(
      join(this.directory, `${id}.json`),
      () => clone(defaults) as Tree,
      { serialize, parse: revive },
    );
    // Fill in defaults missing from an older file, as StormDB's `default()` does.
    store.update((root) => {
      for (const [key, value] of Object.entries(defaults)) {
        if (!(key in root)) root[key] = clone(value);
      }
    });
    return Promise.resolve(new AtomicDataStore(store));
  }
}
