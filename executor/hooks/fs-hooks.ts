// FsHooks: modules from a folder on disk, jailed under its root by real path. Every path the resolver
// looks at is walked from the root one component at a time; a symlink anywhere on the way that leads
// out of the root (a file, a directory, a symlinked node_modules) is refused before anything past it is
// looked at, so the answer depends only on what is inside the root. Reads are async and bounded.
import { constants as fsConstants, realpathSync, statSync } from 'node:fs';
import { lstat, open, readlink, realpath, stat } from 'node:fs/promises';
import { isAbsolute, posix, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModuleHooks, ModuleSource } from '../types.js';
import { HookError } from './errors.js';
import { DEFAULT_EXTENSIONS, hasUrlScheme, isInside, resolveSpecifier } from './resolver.js';
import type { EntryKind, ResolverHost } from './resolver.js';

export interface FsHooksOptions {
  /** Extensions probed for extensionless specifiers, in order (default `.js .cjs .mjs .json .ts .tsx .mts .cts .jsx`). */
  extensions?: readonly string[];
  /**
   * Extra package.json `exports` conditions (default `['node']`). `require` is always tried first and
   * `import` only when nothing matches, with `default` in both passes.
   */
  conditions?: readonly string[];
  /** Largest module file read, in bytes (default 8 MiB). */
  maxFileBytes?: number;
}

const DEFAULT_MAX_FILE_BYTES = 8 * 1024 * 1024;
const MAX_PACKAGE_JSON_BYTES = 1024 * 1024;
const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0) | (fsConstants.O_NONBLOCK ?? 0);

type WalkCache = Map<string, EntryKind | 'other'>;

/** Modules from a folder on disk. Locations are real absolute paths inside the root. */
export class FsHooks implements ModuleHooks {
  readonly name: string;
  /** The root's real path. */
  readonly root: string;
  readonly #extensions: readonly string[];
  readonly #conditions: readonly string[];
  readonly #maxFileBytes: number;

  constructor(root: string, options: FsHooksOptions = {}) {
    const opts: FsHooksOptions = Object.assign(Object.create(null) as FsHooksOptions, options);
    let real: string;
    try {
      real = realpathSync(resolvePath(root));
    } catch {
      throw new HookError(`fs:${root}`, root, 'bad-input', 'is not an existing folder (root)');
    }
    if (!statSync(real).isDirectory()) throw new HookError(`fs:${root}`, root, 'bad-input', 'is not a folder (root)');
    if (!real.startsWith('/')) throw new HookError(`fs:${root}`, root, 'bad-input', 'is not a POSIX path (root); FsHooks needs a POSIX system');
    this.root = real;
    this.name = `fs:${real}`;
    this.#extensions = Object.freeze([...(opts.extensions ?? DEFAULT_EXTENSIONS)]);
    this.#conditions = Object.freeze([...(opts.conditions ?? ['node'])]);
    this.#maxFileBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  }

  /** Resolves a specifier against a referrer location (null: the root) to a real path, or null. */
  async resolve(specifier: string, referrer: string | null): Promise<string | null> {
    let spec = specifier;
    if (typeof spec === 'string' && spec.startsWith('file:')) {
      try {
        spec = fileURLToPath(spec);
      } catch {
        throw new HookError(this.name, specifier, 'bad-input', 'is not a valid file: URL');
      }
    }
    return resolveSpecifier(this.#host(new Map()), spec, referrer);
  }

  /** Reads a location this hook resolved. Null when it no longer exists. */
  async load(location: string): Promise<ModuleSource | null> {
    if (typeof location !== 'string' || !isAbsolute(location) || location.includes('\0') || hasUrlScheme(location)) {
      throw new HookError(this.name, String(location), 'bad-input', 'is not a location of this hook');
    }
    const path = posix.normalize(location);
    if (!isInside(this.root, path)) throw new HookError(this.name, location, 'outside-root', 'is outside the root');
    const kind = await this.#walk(path, location, new Map());
    if (kind !== 'file') return null;
    const real = await this.#realInside(path, location);
    const source = await this.#readBounded(real, location, this.#maxFileBytes);
    return { source, filename: real };
  }

  #host(cache: WalkCache): ResolverHost {
    return {
      hookName: this.name,
      root: this.root,
      extensions: this.#extensions,
      conditions: this.#conditions,
      kind: async (path, input) => {
        const kind = await this.#walk(path, input, cache);
        return kind === 'other' ? null : kind;
      },
      locate: (path, input) => this.#realInside(path, input),
      readText: async (path, input) => this.#readBounded(await this.#realInside(path, input), input, MAX_PACKAGE_JSON_BYTES),
    };
  }

  /**
   * What is at `path`, walking from the root one component at a time with lstat. A symlink on the way
   * is followed only when its real target is inside the root; otherwise the whole lookup is refused.
   */
  async #walk(path: string, input: string, cache: WalkCache): Promise<EntryKind | 'other'> {
    if (!isInside(this.root, path)) throw new HookError(this.name, input, 'outside-root', 'leads outside the root');
    if (path === this.root) return 'dir';
    const segments = path.slice(this.root === '/' ? 1 : this.root.length + 1).split('/');
    let prefix = this.root;
    let kind: EntryKind | 'other' = 'dir';
    for (const segment of segments) {
      if (kind !== 'dir') return null;
      prefix = prefix === '/' ? `/${segment}` : `${prefix}/${segment}`;
      const cached = cache.get(prefix);
      if (cached !== undefined) {
        kind = cached;
        continue;
      }
      kind = await this.#kindOf(prefix, input);
      cache.set(prefix, kind);
    }
    return kind;
  }

  async #kindOf(path: string, input: string): Promise<EntryKind | 'other'> {
    let info;
    try {
      info = await lstat(path);
    } catch (error) {
      if (isMissing(error)) return null;
      throw ioError(this.name, input, error);
    }
    if (info.isSymbolicLink()) {
      // Refuse a link whose text already points out, before anything outside is looked at.
      let target: string;
      try {
        target = await readlink(path);
      } catch (error) {
        if (isMissing(error)) return null;
        throw ioError(this.name, input, error);
      }
      const lexical = posix.resolve(posix.dirname(path), target);
      if (!isInside(this.root, lexical)) throw new HookError(this.name, input, 'outside-root', 'leads outside the root through a symlink');
      try {
        const real = await realpath(path);
        if (!isInside(this.root, real)) throw new HookError(this.name, input, 'outside-root', 'leads outside the root through a symlink');
      } catch (error) {
        if (error instanceof HookError) throw error;
        if (isMissing(error)) return null;
        throw ioError(this.name, input, error);
      }
      try {
        info = await stat(path);
      } catch (error) {
        if (isMissing(error)) return null;
        throw ioError(this.name, input, error);
      }
    }
    if (info.isDirectory()) return 'dir';
    if (info.isFile()) return 'file';
    return 'other';
  }

  /** The real path of an existing entry; refuses one whose real path is outside the root. */
  async #realInside(path: string, input: string): Promise<string> {
    let real: string;
    try {
      real = await realpath(path);
    } catch (error) {
      if (isMissing(error)) throw new HookError(this.name, input, 'not-found', 'does not exist (a dangling symlink or a file removed meanwhile)');
      throw ioError(this.name, input, error);
    }
    if (!isInside(this.root, real)) throw new HookError(this.name, input, 'outside-root', 'leads outside the root through a symlink');
    return real;
  }

  /** Reads a real path (no symlink at its end: O_NOFOLLOW), checks what was opened, at most `max` bytes. */
  async #readBounded(real: string, input: string, max: number): Promise<string> {
    let handle;
    try {
      handle = await open(real, OPEN_FLAGS);
    } catch (error) {
      if (isMissing(error)) throw new HookError(this.name, input, 'not-found', 'was removed while it was being read');
      if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new HookError(this.name, input, 'outside-root', 'was replaced by a symlink while it was being read');
      throw ioError(this.name, input, error);
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new HookError(this.name, input, 'not-found', 'is not a regular file');
      if (info.size > max) throw new HookError(this.name, input, 'too-large', `is larger than the hook's limit of ${max} bytes`);
      await this.#checkOpened(handle.fd, real, info, input);
      const buffer = Buffer.allocUnsafe(Math.min(info.size, max) + 1);
      let length = 0;
      for (;;) {
        if (length === buffer.length) throw new HookError(this.name, input, 'too-large', `is larger than the hook's limit of ${max} bytes`);
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
        if (bytesRead === 0) break;
        length += bytesRead;
      }
      return new TextDecoder('utf-8').decode(buffer.subarray(0, length));
    } finally {
      await handle.close();
    }
  }

  /** Closes the gap between the path check and the open: the descriptor must name a file inside the root. */
  async #checkOpened(fd: number, real: string, info: { dev: number; ino: number }, input: string): Promise<void> {
    let opened: string | null = null;
    try {
      opened = await readlink(`/proc/self/fd/${fd}`);
    } catch {
      opened = null;
    }
    if (opened !== null) {
      if (!isInside(this.root, opened)) throw new HookError(this.name, input, 'outside-root', 'was moved out of the root while it was being read');
      return;
    }
    // No /proc: compare identities (narrows the race to the moment between these two calls).
    const now = await stat(real).catch(() => null);
    if (now === null || now.dev !== info.dev || now.ino !== info.ino) {
      throw new HookError(this.name, input, 'outside-root', 'changed while it was being read');
    }
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function ioError(hook: string, input: string, error: unknown): HookError {
  const code = (error as NodeJS.ErrnoException | null)?.code ?? 'EIO';
  if (code === 'ELOOP') return new HookError(hook, input, 'io', 'goes through a symlink loop');
  return new HookError(hook, input, 'io', `could not be read (${code})`);
}
