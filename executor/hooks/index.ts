// The shipped ModuleHooks (RHooks): a folder on disk, an in-memory map, a URL on an origin allow-list;
// plus small helpers the gateway uses to check and describe hooks a caller passes in.
import type { ModuleHooks } from '../types.js';
import { FsHooks } from './fs-hooks.js';
import { HttpHooks } from './http-hooks.js';
import { MemoryHooks } from './memory-hooks.js';

export { FsHooks } from './fs-hooks.js';
export type { FsHooksOptions } from './fs-hooks.js';
export { MemoryHooks } from './memory-hooks.js';
export type { MemoryHooksOptions, MemoryFiles } from './memory-hooks.js';
export { HttpHooks } from './http-hooks.js';
export type { HttpHooksOptions } from './http-hooks.js';
export { HookError, isHookError } from './errors.js';
export type { HookErrorReason } from './errors.js';
export { DEFAULT_EXTENSIONS } from './resolver.js';

/** What a hooks object is, for `verbose` logs and error messages. */
export interface HooksDescription {
  name: string;
  kind: 'fs' | 'memory' | 'http' | 'custom';
  /** FsHooks: the root's real path; HttpHooks: the base URL. */
  where?: string;
  /** Whether it supplies substitutes for built-in modules. */
  builtins: boolean;
}

/** Describes a hooks object (shipped or user-written). */
export function describeHooks(hooks: ModuleHooks): HooksDescription {
  const builtins = typeof hooks.builtin === 'function';
  if (hooks instanceof FsHooks) return { name: hooks.name, kind: 'fs', where: hooks.root, builtins };
  if (hooks instanceof HttpHooks) return { name: hooks.name, kind: 'http', where: hooks.base, builtins };
  if (hooks instanceof MemoryHooks) return { name: hooks.name, kind: 'memory', builtins };
  return { name: String(hooks.name), kind: 'custom', builtins };
}

/**
 * Checks that a value a caller passed as hooks has the ModuleHooks shape. Returns a message naming what
 * is wrong (for an AIRLOCK_BAD_REQUEST error), or null when it is fine.
 */
export function checkHooks(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'hooks must be an object with name, resolve and load';
  const hooks = value as Partial<Record<keyof ModuleHooks, unknown>>;
  if (typeof hooks.name !== 'string' || hooks.name === '') return 'hooks.name must be a non-empty string';
  if (typeof hooks.resolve !== 'function') return `hooks '${hooks.name}': resolve(specifier, referrer) must be a function`;
  if (typeof hooks.load !== 'function') return `hooks '${hooks.name}': load(location) must be a function`;
  if (hooks.builtin !== undefined && typeof hooks.builtin !== 'function') return `hooks '${hooks.name}': builtin(name), when present, must be a function`;
  return null;
}
