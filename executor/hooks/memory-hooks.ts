// MemoryHooks: modules from a map of path (or package name) to text. Keys are paths under a virtual
// root `/` (`main.js`, `lib/util.ts`, `node_modules/left-pad/index.js`) or bare names (`left-pad`);
// resolution is Node's (relative paths, extension probing, indexes, node_modules, package.json).
import { posix } from 'node:path';
import type { ModuleHooks, ModuleSource } from '../types.js';
import { HookError } from './errors.js';
import { DEFAULT_EXTENSIONS, hasUrlScheme, isRelativeSpecifier, resolveSpecifier } from './resolver.js';
import type { ResolverHost } from './resolver.js';

export interface MemoryHooksOptions {
  /** Names the hooks in logs and errors (default `memory`). */
  name?: string;
  /** Extensions probed for extensionless specifiers (default as FsHooks). */
  extensions?: readonly string[];
  /** Extra package.json `exports` conditions (default `['node']`), as FsHooks. */
  conditions?: readonly string[];
}

/** The entries a MemoryHooks is built from. */
export type MemoryFiles = Readonly<Record<string, string>> | ReadonlyMap<string, string> | Iterable<readonly [string, string]>;

/**
 * Modules from an in-memory map. Locations are `/`-rooted paths (`/main.js`). A bare specifier is looked
 * up first as a key (`lodash`, `lodash.js`, `lodash/index.js`), then through `node_modules/` keys.
 */
export class MemoryHooks implements ModuleHooks {
  readonly name: string;
  readonly #files = new Map<string, string>();
  readonly #dirs = new Set<string>(['/']);
  readonly #host: ResolverHost;

  constructor(files: MemoryFiles, options: MemoryHooksOptions = {}) {
    const opts: MemoryHooksOptions = Object.assign(Object.create(null) as MemoryHooksOptions, options);
    this.name = opts.name ?? 'memory';
    const entries: Iterable<readonly [string, string]> =
      files instanceof Map || isIterable(files) ? (files as Iterable<readonly [string, string]>) : Object.entries(files as Record<string, string>);
    for (const [key, text] of entries) {
      if (typeof key !== 'string' || typeof text !== 'string') throw new HookError(this.name, String(key), 'bad-input', 'is not a string key with string text');
      const path = this.#pathOfKey(key);
      this.#files.set(path, text);
      for (let dir = posix.dirname(path); dir !== '/'; dir = posix.dirname(dir)) this.#dirs.add(dir);
    }
    const kinds = (path: string) => (this.#files.has(path) ? 'file' : this.#dirs.has(path) ? 'dir' : null);
    this.#host = {
      hookName: this.name,
      root: '/',
      extensions: Object.freeze([...(opts.extensions ?? DEFAULT_EXTENSIONS)]),
      conditions: Object.freeze([...(opts.conditions ?? ['node'])]),
      kind: kinds,
      locate: (path) => path,
      readText: (path) => this.#files.get(path) ?? '',
    };
  }

  /** The locations of every entry, sorted. */
  get locations(): string[] {
    return [...this.#files.keys()].sort();
  }

  /** Resolves against the referrer (null: `/`). Returns a `/`-rooted location or null. */
  async resolve(specifier: string, referrer: string | null): Promise<string | null> {
    if (typeof specifier === 'string' && specifier !== '' && !specifier.startsWith('/') && !isRelativeSpecifier(specifier) && !hasUrlScheme(specifier) && !specifier.startsWith('#')) {
      // A bare name given as a key (`left-pad`, `left-pad.js`, `left-pad/index.js`) wins over node_modules.
      const direct = posix.normalize(`/${specifier}`);
      if (direct !== '/' && !direct.startsWith('/..') && (this.#files.has(direct) || this.#hasKeyLike(direct))) {
        const found = await resolveSpecifier(this.#host, direct, referrer);
        if (found !== null) return found;
      }
    }
    return resolveSpecifier(this.#host, specifier, referrer);
  }

  /** The text of a location. */
  load(location: string): ModuleSource | null {
    if (typeof location !== 'string' || !location.startsWith('/')) {
      throw new HookError(this.name, String(location), 'bad-input', 'is not a location of this hook');
    }
    const source = this.#files.get(posix.normalize(location));
    return source === undefined ? null : { source, filename: posix.normalize(location) };
  }

  #hasKeyLike(path: string): boolean {
    if (this.#dirs.has(path)) return true;
    for (const extension of this.#host.extensions) if (this.#files.has(path + extension)) return true;
    return false;
  }

  #pathOfKey(key: string): string {
    if (key === '' || key.includes('\0') || hasUrlScheme(key)) throw new HookError(this.name, key, 'bad-input', 'is not a valid entry name');
    const path = posix.normalize(`/${key.replace(/^\.\//, '')}`);
    const raw = posix.normalize(key.replace(/^\/+/, '').replace(/^\.\//, ''));
    if (raw === '..' || raw.startsWith('../') || path === '/' || path.endsWith('/')) {
      throw new HookError(this.name, key, 'bad-input', 'is not a file path under the map\'s root');
    }
    return path;
  }
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}
