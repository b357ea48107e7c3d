// Built-in modules for the realm: granted names (policy SAFE_BUILTIN_MODULES, `node:` prefixes
// normalised) map to pure-JS packages installed with airlock (path-browserify, events, buffer, util,
// assert, string_decoder, querystring-es3, url). They load through the same gateway path as any module
// (analysed under the trusted profile, evaluated in the realm) from BuiltinHooks: an FsHooks over the
// folder holding airlock's node_modules that reaches only those packages and their dependencies, serves
// the stand-ins of shims.ts, and locates everything as `builtin:<path>` so no host path shows.
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModuleHooks, ModuleSource } from '../types.js';
import { HookError } from '../hooks/errors.js';
import { FsHooks } from '../hooks/fs-hooks.js';
import { PRELUDES, SHIM_SOURCES, SUBSTITUTES, withPrelude } from './shims.js';

export { PROCESS_SHIM, SHIM_SOURCES, PRELUDES, SUBSTITUTES, SUBSTITUTED_PACKAGES } from './shims.js';

/** Location prefix of everything the builtin hooks serve. */
export const BUILTIN_SCHEME = 'builtin:';

/** Built-in module name → the location of its realm-side implementation (relative to the builtins root). */
const ENTRIES: Readonly<Record<string, { grant: string; location: string; implementation: string }>> = Object.freeze({
  assert: { grant: 'assert', location: 'builtin:node_modules/assert/build/assert.js', implementation: 'assert@2' },
  'assert/strict': { grant: 'assert', location: 'builtin:shim/assert-strict.js', implementation: 'assert@2 (strict)' },
  buffer: { grant: 'buffer', location: 'builtin:node_modules/buffer/index.js', implementation: 'buffer@6' },
  events: { grant: 'events', location: 'builtin:node_modules/events/events.js', implementation: 'events@3' },
  path: { grant: 'path', location: 'builtin:node_modules/path-browserify/index.js', implementation: 'path-browserify@1' },
  'path/posix': { grant: 'path', location: 'builtin:node_modules/path-browserify/index.js', implementation: 'path-browserify@1' },
  querystring: { grant: 'querystring', location: 'builtin:node_modules/querystring-es3/index.js', implementation: 'querystring-es3' },
  string_decoder: { grant: 'string_decoder', location: 'builtin:node_modules/string_decoder/lib/string_decoder.js', implementation: 'string_decoder@1' },
  url: { grant: 'url', location: 'builtin:node_modules/url/url.js', implementation: 'url@0.11 (legacy API: parse, format, resolve)' },
  util: { grant: 'util', location: 'builtin:node_modules/util/util.js', implementation: 'util@0.12' },
  'util/types': { grant: 'util', location: 'builtin:shim/util-types.js', implementation: 'util@0.12 (types)' },
});

/** Names `builtinModule` serves (the policy's SAFE_BUILTIN_MODULES plus a few subpaths). */
export const REALM_BUILTIN_NAMES: readonly string[] = Object.freeze(Object.keys(ENTRIES).sort());

/**
 * The packages the builtin hooks may read: the eight implementations and their dependency closure, less
 * the helper packages shims.ts stands in for (test/executor/builtins.test.ts recomputes it from the
 * installed package.json files).
 */
export const BUILTIN_PACKAGES: ReadonlySet<string> = new Set([
  'assert', 'base64-js', 'buffer', 'events', 'ieee754', 'inherits', 'path-browserify', 'punycode', 'qs',
  'querystring-es3', 'safe-buffer', 'string_decoder', 'url', 'util',
]);

/** The implementation packages of the built-in names (the roots of BUILTIN_PACKAGES). */
export const BUILTIN_ROOT_PACKAGES: readonly string[] = Object.freeze([
  'assert', 'buffer', 'events', 'path-browserify', 'querystring-es3', 'string_decoder', 'url', 'util',
]);

const NODE_BUILTINS: ReadonlySet<string> = new Set(builtinModules.map((name) => name.replace(/^node:/, '')));

/**
 * The Node built-in a specifier names (`node:fs` → `fs`, `path` → `path`, `fs/promises`), or null for
 * anything else. A `node:` specifier always names a built-in (so `node:left-pad` → `left-pad`, which
 * no hook will grant); `util/` and `buffer/` with a slash are npm packages, as in Node.
 */
export function normalizeBuiltinName(specifier: string): string | null {
  if (typeof specifier !== 'string') return null;
  if (specifier.startsWith('node:')) return specifier.slice(5);
  return NODE_BUILTINS.has(specifier) ? specifier : null;
}

/** What `builtinModule` returns: where a granted built-in's realm-side implementation is. */
export interface BuiltinModule {
  /** The normalised name (`path`, `util/types`). */
  name: string;
  /** The policy name that grants it (`util/types` → `util`). */
  grant: string;
  /** Its location in `hooks` (`builtin:node_modules/path-browserify/index.js`). */
  location: string;
  /** The hooks to load it and everything it requires with (one shared BuiltinHooks). */
  hooks: BuiltinHooks;
  /** Which package implements it, for logs. */
  implementation: string;
}

/**
 * The realm-side implementation of a built-in module (`path`, `node:path`, `util/types`...), or null when
 * airlock has none (`fs`, `child_process`...). Whether the policy grants it is the gateway's decision.
 */
export function builtinModule(name: string): BuiltinModule | null {
  const normal = normalizeBuiltinName(name) ?? name;
  const entry = Object.prototype.hasOwnProperty.call(ENTRIES, normal) ? ENTRIES[normal] : undefined;
  if (entry === undefined) return null;
  return { name: normal, grant: entry.grant, location: entry.location, hooks: builtinHooks(), implementation: entry.implementation };
}

let shared: BuiltinHooks | null = null;

/** The one BuiltinHooks of this process (so the gateway can cache modules by hooks and location). */
export function builtinHooks(): BuiltinHooks {
  if (shared === null) shared = new BuiltinHooks(findBuiltinsRoot());
  return shared;
}

/** The folder whose node_modules holds the implementation packages, found from this file upwards. */
export function findBuiltinsRoot(start: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (BUILTIN_ROOT_PACKAGES.every((name) => existsSync(join(dir, 'node_modules', name, 'package.json')))) return dir;
    if (dirname(dir) === dir) break;
  }
  throw new HookError('builtins', start, 'not-found', `has no node_modules above it holding ${BUILTIN_ROOT_PACKAGES.join(', ')}`);
}

/**
 * ModuleHooks for the built-in implementations. Locations are `builtin:node_modules/<package>/<file>`
 * and `builtin:shim/<name>.js`. Resolution is FsHooks' (jailed to the root), restricted to
 * BUILTIN_PACKAGES; the files that read host globals get a one-line prelude (shims.ts).
 * Requires made by a module loaded from these hooks must be resolved by these hooks.
 */
export class BuiltinHooks implements ModuleHooks {
  readonly name = 'builtins';
  readonly #fs: FsHooks;

  constructor(root: string) {
    this.#fs = new FsHooks(root, { conditions: [] });
  }

  /** The real path of the folder holding the implementation packages' node_modules. */
  get root(): string {
    return this.#fs.root;
  }

  async resolve(specifier: string, referrer: string | null): Promise<string | null> {
    if (typeof specifier === 'string' && Object.prototype.hasOwnProperty.call(SHIM_SOURCES, specifier)) return specifier;
    if (typeof specifier === 'string' && Object.prototype.hasOwnProperty.call(SUBSTITUTES, specifier)) return SUBSTITUTES[specifier]!;
    let from: string | null = null;
    if (referrer !== null && referrer !== undefined) {
      if (typeof referrer !== 'string' || !referrer.startsWith(BUILTIN_SCHEME)) {
        throw new HookError(this.name, String(referrer), 'bad-input', 'is not a location of the builtin hooks (referrer)');
      }
      if (!Object.prototype.hasOwnProperty.call(SHIM_SOURCES, referrer)) from = this.#realPath(referrer);
    }
    const real = await this.#fs.resolve(specifier, from);
    if (real === null) return null;
    const location = BUILTIN_SCHEME + relative(this.#fs.root, real);
    this.#checkPackages(location, specifier);
    return location;
  }

  async load(location: string): Promise<ModuleSource | null> {
    if (typeof location === 'string' && Object.prototype.hasOwnProperty.call(SHIM_SOURCES, location)) {
      return { source: SHIM_SOURCES[location]!, filename: location };
    }
    if (typeof location !== 'string' || !location.startsWith(BUILTIN_SCHEME)) {
      throw new HookError(this.name, String(location), 'bad-input', 'is not a location of the builtin hooks');
    }
    this.#checkPackages(location, location);
    const loaded = await this.#fs.load(this.#realPath(location));
    if (loaded === null) return null;
    const path = location.slice(BUILTIN_SCHEME.length);
    const prelude = Object.prototype.hasOwnProperty.call(PRELUDES, path) ? PRELUDES[path] : undefined;
    return { source: prelude === undefined ? loaded.source : withPrelude(loaded.source, prelude), filename: location };
  }

  #realPath(location: string): string {
    const path = posix.normalize(location.slice(BUILTIN_SCHEME.length));
    if (path.startsWith('../') || path.startsWith('/') || path === '..') {
      throw new HookError(this.name, location, 'outside-root', 'leads outside the builtins root');
    }
    return join(this.#fs.root, path);
  }

  /** Refuses a location outside node_modules or in a package that is not a built-in's implementation. */
  #checkPackages(location: string, input: string): void {
    const segments = location.slice(BUILTIN_SCHEME.length).split('/');
    if (segments[0] !== 'node_modules') throw new HookError(this.name, input, 'refused', 'is not inside a built-in implementation package');
    for (let i = 0; i < segments.length; i++) {
      if (segments[i] !== 'node_modules') continue;
      const first = segments[i + 1] ?? '';
      const name = first.startsWith('@') ? `${first}/${segments[i + 2] ?? ''}` : first;
      if (!BUILTIN_PACKAGES.has(name)) throw new HookError(this.name, input, 'refused', `is in package '${name}', which is not part of a built-in module's implementation`);
    }
  }
}

/** The version of an implementation package as installed (for reports). */
export function builtinPackageVersion(name: string): string | null {
  try {
    const manifest = JSON.parse(readFileSync(join(builtinHooks().root, 'node_modules', name, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : null;
  } catch {
    return null;
  }
}
