// Node's module resolution (relative paths, extension probing, directory indexes, node_modules
// lookup with package.json `exports`/`imports`/`main`) over a tiny file-system interface, so FsHooks and
// MemoryHooks share one algorithm and differ only in how they look at a path and where the jail is.
// Paths here are POSIX, absolute and normalised; nothing at or above the root's parent is looked at.
import { posix } from 'node:path';
import { HookError } from './errors.js';

const { join, dirname, normalize, extname, basename } = posix;

/** Extensions probed, in order, when a specifier names no existing file. */
export const DEFAULT_EXTENSIONS: readonly string[] = ['.js', '.cjs', '.mjs', '.json', '.ts', '.tsx', '.mts', '.cts', '.jsx'];

/** What a TypeScript-style `./x.js` specifier may name on disk when `x.js` itself does not exist. */
const TS_SOURCE_FOR: Readonly<Record<string, readonly string[]>> = {
  '.js': ['.ts', '.tsx'],
  '.jsx': ['.tsx'],
  '.mjs': ['.mts'],
  '.cjs': ['.cts'],
};

export type EntryKind = 'file' | 'dir' | null;

/** The view of a tree the resolver needs. Every method refuses (throws HookError) a path that leads out of the root. */
export interface ResolverHost {
  /** The hook's name, for errors. */
  readonly hookName: string;
  /** The absolute, normalised root. */
  readonly root: string;
  readonly extensions: readonly string[];
  /** Extra `exports` conditions matched besides `require`/`import` and `default` (e.g. `node`). */
  readonly conditions: readonly string[];
  /** What is at a normalised absolute path under the root (null: nothing loadable). */
  kind(path: string, input: string): Promise<EntryKind> | EntryKind;
  /** The location to return for an existing file (FsHooks: its real path, checked against the root). */
  locate(path: string, input: string): Promise<string> | string;
  /** The text of a small file under the root (a package.json). */
  readText(path: string, input: string): Promise<string> | string;
}

/** True when `path` is `root` or below it (both absolute and normalised). */
export function isInside(root: string, path: string): boolean {
  if (path === root) return true;
  return path.startsWith(root.endsWith('/') ? root : `${root}/`);
}

/**
 * True when walking `path`'s segments from `start` goes above `root` at some point (`/` clamps `..`
 * lexically, so a root of `/` needs this as well as the final containment check).
 */
function climbsAboveRoot(root: string, start: string, path: string): boolean {
  let depth = start === root ? 0 : start.slice(root.length).split('/').filter(Boolean).length;
  if (!isInside(root, start)) depth = 0;
  for (const segment of path.split('/')) {
    if (segment === '..') depth--;
    else if (segment !== '.' && segment !== '') depth++;
    if (depth < 0) return true;
  }
  return false;
}

/** True for `./x`, `../x`, `.` and `..`. */
export function isRelativeSpecifier(specifier: string): boolean {
  return specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../');
}

/** True for a specifier with a URL scheme (`node:fs`, `data:...`, `https://...`, `file:///...`). */
export function hasUrlScheme(specifier: string): boolean {
  return /^[a-zA-Z][a-zA-Z\d+.-]*:/.test(specifier);
}

/** Splits a bare specifier into package name and `exports` subpath (`@s/p/x` → `@s/p`, `./x`). Null when malformed. */
export function splitPackageSpecifier(specifier: string): { name: string; subpath: string } | null {
  const parts = specifier.split('/');
  const nameLength = specifier.startsWith('@') ? 2 : 1;
  if (parts.length < nameLength) return null;
  const name = parts.slice(0, nameLength).join('/');
  if (nameLength === 2 && (parts[0] === '@' || parts[1] === '')) return null;
  if (name === '' || name.startsWith('.') || name.includes('\\') || name.includes('%')) return null;
  const rest = parts.slice(nameLength).join('/');
  return { name, subpath: rest === '' ? '.' : `./${rest}` };
}

/** Checks specifier and referrer and returns the directory relative specifiers start from. */
export function referrerDirectory(host: ResolverHost, specifier: unknown, referrer: unknown): string {
  if (typeof specifier !== 'string' || specifier === '' || specifier.includes('\0')) {
    throw new HookError(host.hookName, String(specifier), 'bad-input', 'is not a valid specifier');
  }
  if (referrer === null || referrer === undefined) return host.root;
  if (typeof referrer !== 'string' || !referrer.startsWith('/') || referrer.includes('\0')) {
    throw new HookError(host.hookName, String(referrer), 'bad-input', 'is not a location of this hook (referrer)');
  }
  const normal = normalize(referrer);
  if (!isInside(host.root, normal)) {
    throw new HookError(host.hookName, referrer, 'outside-root', 'is outside the root (referrer)');
  }
  return dirname(normal);
}

/**
 * Resolves a specifier the way Node's `require` does, confined to the host's root. Returns a location,
 * null when nothing matches, or throws HookError (leaves the root, bad package.json, unexported subpath).
 * `exports`/`imports` conditions: `require` plus the host's conditions plus `default`; only when
 * nothing matches, `import` plus the same (so a dual package always yields its CommonJS build, once).
 */
export async function resolveSpecifier(host: ResolverHost, specifier: string, referrer: string | null): Promise<string | null> {
  const fromDir = referrerDirectory(host, specifier, referrer);
  if (specifier.startsWith('/') || isRelativeSpecifier(specifier)) {
    const target = normalize(specifier.startsWith('/') ? specifier : join(fromDir, specifier));
    if (!isInside(host.root, target) || climbsAboveRoot(host.root, specifier.startsWith('/') ? '/' : fromDir, specifier)) throw new HookError(host.hookName, specifier, 'outside-root', 'leads outside the root');
    const directoryOnly = specifier.endsWith('/') || specifier === '.' || specifier === '..' || specifier.endsWith('/.') || specifier.endsWith('/..');
    return (directoryOnly ? null : await resolveAsFile(host, target, specifier)) ?? (await resolveAsDirectory(host, target, specifier));
  }
  if (hasUrlScheme(specifier)) {
    throw new HookError(host.hookName, specifier, 'refused', 'is a URL; this hook serves paths and package names only');
  }
  if (specifier.startsWith('#')) return resolvePackageImports(host, specifier, fromDir);
  return resolveBare(host, specifier, fromDir);
}

async function resolveAsFile(host: ResolverHost, path: string, input: string): Promise<string | null> {
  if ((await host.kind(path, input)) === 'file') return host.locate(path, input);
  const ext = extname(path);
  for (const alternative of TS_SOURCE_FOR[ext] ?? []) {
    const candidate = path.slice(0, -ext.length) + alternative;
    if ((await host.kind(candidate, input)) === 'file') return host.locate(candidate, input);
  }
  for (const extension of host.extensions) {
    const candidate = path + extension;
    if ((await host.kind(candidate, input)) === 'file') return host.locate(candidate, input);
  }
  return null;
}

async function resolveIndex(host: ResolverHost, dir: string, input: string): Promise<string | null> {
  for (const extension of host.extensions) {
    const candidate = join(dir, `index${extension}`);
    if ((await host.kind(candidate, input)) === 'file') return host.locate(candidate, input);
  }
  return null;
}

async function resolveAsDirectory(host: ResolverHost, dir: string, input: string): Promise<string | null> {
  if ((await host.kind(dir, input)) !== 'dir') return null;
  const manifest = await readPackageJson(host, dir, input);
  const main = manifest?.main;
  if (typeof main === 'string' && main !== '') {
    const target = normalize(join(dir, main));
    if (!isInside(host.root, target)) {
      throw new HookError(host.hookName, input, 'outside-root', `has a package.json "main" that leads outside the root`);
    }
    const found = (await resolveAsFile(host, target, input)) ?? (await resolveIndex(host, target, input));
    if (found !== null) return found;
  }
  return resolveIndex(host, dir, input);
}

interface PackageJson {
  name?: unknown;
  main?: unknown;
  exports?: unknown;
  imports?: unknown;
}

async function readPackageJson(host: ResolverHost, dir: string, input: string): Promise<PackageJson | null> {
  const path = join(dir, 'package.json');
  if ((await host.kind(path, input)) !== 'file') return null;
  const text = await host.readText(path, input);
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as PackageJson) : {};
  } catch (error) {
    throw new HookError(host.hookName, input, 'bad-package', `needs ${relativeName(host, path)}, which is not valid JSON (${(error as Error).message})`);
  }
}

function relativeName(host: ResolverHost, path: string): string {
  return path === host.root ? '.' : path.slice(host.root.endsWith('/') ? host.root.length : host.root.length + 1);
}

async function resolveBare(host: ResolverHost, specifier: string, fromDir: string): Promise<string | null> {
  const parsed = splitPackageSpecifier(specifier);
  if (parsed === null) throw new HookError(host.hookName, specifier, 'bad-input', 'is not a valid package specifier');
  for (let dir = fromDir; ; dir = dirname(dir)) {
    if (basename(dir) !== 'node_modules') {
      const found = await resolveInPackageDir(host, join(dir, 'node_modules', parsed.name), parsed.subpath, specifier);
      if (found !== undefined) return found;
    }
    if (dir === host.root || dir === '/') return null;
  }
}

/** undefined: no package here, keep walking up; null: nothing found; string: found. */
async function resolveInPackageDir(host: ResolverHost, packageDir: string, subpath: string, input: string): Promise<string | null | undefined> {
  const kind = await host.kind(packageDir, input);
  if (kind !== 'dir') {
    // node_modules/name.js and friends, as Node's LOAD_AS_FILE(DIR/X).
    if (subpath !== '.') return undefined;
    return (await resolveAsFile(host, packageDir, input)) ?? undefined;
  }
  const manifest = await readPackageJson(host, packageDir, input);
  if (manifest !== null && manifest.exports !== undefined && manifest.exports !== null) {
    const target = resolveExports(host, packageDir, subpath, manifest.exports, input);
    if ((await host.kind(target, input)) !== 'file') {
      throw new HookError(host.hookName, input, 'not-found', `is exported by its package as ${relativeName(host, target)}, which does not exist`);
    }
    return host.locate(target, input);
  }
  if (subpath === '.') return (await resolveAsDirectory(host, packageDir, input)) ?? undefined;
  const full = normalize(join(packageDir, subpath));
  if (!isInside(host.root, full)) throw new HookError(host.hookName, input, 'outside-root', 'leads outside the root');
  const directoryOnly = subpath.endsWith('/');
  const found = (directoryOnly ? null : await resolveAsFile(host, full, input)) ?? (await resolveAsDirectory(host, full, input));
  return found ?? undefined;
}

async function resolvePackageImports(host: ResolverHost, specifier: string, fromDir: string): Promise<string | null> {
  if (specifier === '#' || specifier.startsWith('#/')) throw new HookError(host.hookName, specifier, 'bad-input', 'is not a valid package import specifier');
  for (let dir = fromDir; ; dir = dirname(dir)) {
    if (basename(dir) !== 'node_modules') {
      const manifest = await readPackageJson(host, dir, specifier);
      if (manifest !== null) {
        const imports = manifest.imports;
        if (typeof imports !== 'object' || imports === null || Array.isArray(imports)) {
          throw new HookError(host.hookName, specifier, 'not-found', 'is not defined: the nearest package.json has no "imports"');
        }
        const target = matchSubpathMap(host, dir, specifier, imports as Record<string, unknown>, true, specifier);
        if (target === null) throw new HookError(host.hookName, specifier, 'not-found', 'is not defined in the package\'s "imports"');
        if (target.bare !== undefined) return resolveBare(host, target.bare, dir);
        if ((await host.kind(target.path, specifier)) !== 'file') {
          throw new HookError(host.hookName, specifier, 'not-found', `is mapped by "imports" to ${relativeName(host, target.path)}, which does not exist`);
        }
        return host.locate(target.path, specifier);
      }
    }
    if (dir === host.root || dir === '/') {
      throw new HookError(host.hookName, specifier, 'not-found', 'is a package import but no package.json encloses the referrer');
    }
  }
}

/** Resolves a subpath through a package's `exports` to a path inside the package, or throws. */
function resolveExports(host: ResolverHost, packageDir: string, subpath: string, exportsField: unknown, input: string): string {
  let map: Record<string, unknown>;
  if (typeof exportsField === 'string' || Array.isArray(exportsField) || !hasSubpathKeys(host, exportsField, input)) {
    map = { '.': exportsField };
  } else {
    map = exportsField as Record<string, unknown>;
  }
  const target = matchSubpathMap(host, packageDir, subpath, map, false, input);
  if (target === null || target.bare !== undefined) {
    throw new HookError(host.hookName, input, 'not-found', subpath === '.' ? 'is a package with no main export for require or import' : `names subpath '${subpath}', which its package does not export`);
  }
  return target.path;
}

function hasSubpathKeys(host: ResolverHost, value: unknown, input: string): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const keys = Object.keys(value);
  const dotted = keys.filter((key) => key.startsWith('.'));
  if (dotted.length > 0 && dotted.length !== keys.length) {
    throw new HookError(host.hookName, input, 'bad-package', 'belongs to a package whose "exports" mixes subpaths and conditions');
  }
  return dotted.length > 0;
}

interface MapTarget {
  path: string;
  /** For `imports` only: the target was a package name, resolved from the package's directory. */
  bare?: string;
}

/** PACKAGE_IMPORTS_EXPORTS_RESOLVE: exact key, else the best `*` pattern; conditions in two passes. */
function matchSubpathMap(host: ResolverHost, packageDir: string, key: string, map: Record<string, unknown>, isImports: boolean, input: string): MapTarget | null {
  let targetValue: unknown;
  let patternMatch: string | null = null;
  if (Object.prototype.hasOwnProperty.call(map, key) && !key.includes('*')) {
    targetValue = map[key];
  } else {
    let bestKey: string | null = null;
    for (const candidate of Object.keys(map)) {
      const star = candidate.indexOf('*');
      if (star === -1 || candidate.indexOf('*', star + 1) !== -1) continue;
      const prefix = candidate.slice(0, star);
      const suffix = candidate.slice(star + 1);
      if (!key.startsWith(prefix) || key === prefix) continue;
      if (suffix !== '' && (!key.endsWith(suffix) || key.length < candidate.length)) continue;
      if (bestKey === null || comparePatternKeys(bestKey, candidate) > 0) {
        bestKey = candidate;
        patternMatch = key.slice(prefix.length, key.length - suffix.length);
      }
    }
    if (bestKey === null) return null;
    targetValue = map[bestKey];
  }
  const conditionsFirst = new Set(['require', ...host.conditions, 'default']);
  const conditionsThen = new Set(['import', ...host.conditions, 'default']);
  let resolved = resolveTarget(host, packageDir, targetValue, patternMatch, isImports, conditionsFirst, input);
  if (resolved === undefined) resolved = resolveTarget(host, packageDir, targetValue, patternMatch, isImports, conditionsThen, input);
  return resolved ?? null;
}

function comparePatternKeys(a: string, b: string): number {
  const aStar = a.indexOf('*');
  const bStar = b.indexOf('*');
  const aBase = aStar === -1 ? a.length : aStar + 1;
  const bBase = bStar === -1 ? b.length : bStar + 1;
  if (aBase > bBase) return -1;
  if (bBase > aBase) return 1;
  if (aStar === -1) return 1;
  if (bStar === -1) return -1;
  if (a.length > b.length) return -1;
  if (b.length > a.length) return 1;
  return 0;
}

/** Node's check for `.`, `..`, empty and `node_modules` segments (also percent-encoded) in targets. */
const INVALID_SEGMENT =
  /(^|\\|\/)((\.|%2e)(\.|%2e)?|(n|%6e|%4e)(o|%6f|%4f)(d|%64|%44)(e|%65|%45)(_|%5f)(m|%6d|%4d)(o|%6f|%4f)(d|%64|%44)(u|%75|%55)(l|%6c|%4c)(e|%65|%45)(s|%73|%53))?(\\|\/|$)/i;

/** undefined: no condition matched; null: explicitly excluded; else the target. */
function resolveTarget(
  host: ResolverHost,
  packageDir: string,
  target: unknown,
  patternMatch: string | null,
  isImports: boolean,
  conditions: ReadonlySet<string>,
  input: string,
): MapTarget | null | undefined {
  if (typeof target === 'string') {
    if (!target.startsWith('./')) {
      if (isImports && !target.startsWith('../') && !target.startsWith('/') && !hasUrlScheme(target)) {
        return { path: '', bare: patternMatch === null ? target : target.split('*').join(patternMatch) };
      }
      throw new HookError(host.hookName, input, 'bad-package', `maps to '${target}', which is not a './' path inside the package`);
    }
    if (INVALID_SEGMENT.test(target.slice(2))) {
      throw new HookError(host.hookName, input, 'bad-package', `maps to '${target}', which has an invalid segment`);
    }
    if (patternMatch !== null && INVALID_SEGMENT.test(patternMatch)) {
      throw new HookError(host.hookName, input, 'bad-package', 'fills a package pattern with an invalid segment');
    }
    const filled = patternMatch === null ? target : target.split('*').join(patternMatch);
    const path = normalize(join(packageDir, filled));
    if (!isInside(packageDir, path)) throw new HookError(host.hookName, input, 'bad-package', `maps to '${target}', which leaves its package`);
    return { path };
  }
  if (Array.isArray(target)) {
    // As Node: invalid targets and null entries fall through to the next entry; the last outcome stands.
    let last: HookError | null | undefined;
    for (const item of target) {
      let resolved: MapTarget | null | undefined;
      try {
        resolved = resolveTarget(host, packageDir, item, patternMatch, isImports, conditions, input);
      } catch (error) {
        if (error instanceof HookError && error.reason === 'bad-package') {
          last = error;
          continue;
        }
        throw error;
      }
      if (resolved === undefined) continue;
      if (resolved === null) {
        last = null;
        continue;
      }
      return resolved;
    }
    if (last instanceof HookError) throw last;
    return last;
  }
  if (typeof target === 'object' && target !== null) {
    for (const key of Object.keys(target)) {
      if (/^\d+$/.test(key)) throw new HookError(host.hookName, input, 'bad-package', 'belongs to a package whose conditions have numeric keys');
    }
    for (const [condition, value] of Object.entries(target)) {
      if (!conditions.has(condition)) continue;
      const resolved = resolveTarget(host, packageDir, value, patternMatch, isImports, conditions, input);
      if (resolved === undefined) continue;
      return resolved;
    }
    return undefined;
  }
  if (target === null) return null;
  return undefined;
}
