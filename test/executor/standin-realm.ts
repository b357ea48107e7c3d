// A test-only stand-in for the realm: a fresh node:vm context with no require, no process, no
// globals beyond the language's own, and a tiny CommonJS loader over ModuleHooks + prepareModule.
// Hooks are async and require is sync, so it first walks the graph (literal require specifiers in the
// prepared code), then evaluates on demand, as the gateway's sync bridge would.
import vm from 'node:vm';
import { posix } from 'node:path';
import type { ModuleHooks } from '../../executor/types.js';
import { prepareModule, wrapModuleCode } from '../../executor/transform.js';
import { builtinModule, normalizeBuiltinName } from '../../executor/builtins/index.js';

/** Host globals whose every read (even `typeof`) is recorded: they are absent all the same. */
export const WATCHED_GLOBALS = [
  'process', 'global', 'require', 'module', 'exports', 'Buffer', 'console', 'setTimeout', 'setImmediate',
  'setInterval', 'clearTimeout', 'queueMicrotask', 'structuredClone', 'fetch', 'TextEncoder', 'TextDecoder', 'URL',
  'URLSearchParams', 'window', 'self', 'navigator', 'document', '__filename', '__dirname',
] as const;

interface ModuleRecord {
  key: string;
  hooks: ModuleHooks;
  location: string;
  code: string | null;
  error: Error | null;
  /** Specifier → resolved record key, or the error to throw. */
  deps: Map<string, string | Error>;
  module: { exports: unknown; loaded: boolean } | null;
}

export interface StandinOptions {
  /** Built-in names the stand-in grants (default: all that airlock implements). */
  builtins?: readonly string[] | 'all';
  /** Extra context globals (e.g. a React stub). */
  globals?: Record<string, unknown>;
}

export class StandinRealm {
  readonly context: vm.Context;
  /** `name <- location` for every watched global read. */
  readonly globalReads: string[] = [];
  readonly #records = new Map<string, ModuleRecord>();
  readonly #builtins: ReadonlySet<string> | 'all';
  #current = '(top)';

  constructor(options: StandinOptions = {}) {
    this.context = vm.createContext({});
    this.#builtins = options.builtins === undefined || options.builtins === 'all' ? 'all' : new Set(options.builtins);
    const global = vm.runInContext('globalThis', this.context) as Record<string, unknown>;
    for (const name of WATCHED_GLOBALS) {
      Object.defineProperty(global, name, {
        configurable: true,
        get: () => {
          this.globalReads.push(`${name} <- ${this.#current}`);
          return undefined;
        },
      });
    }
    for (const [name, value] of Object.entries(options.globals ?? {})) global[name] = value;
  }

  /** Evaluates an expression in the context. */
  evaluate(code: string): unknown {
    return vm.runInContext(code, this.context);
  }

  /** Loads `specifier` (from the hooks' root) with everything it requires, then evaluates it. */
  async import(hooks: ModuleHooks, specifier: string): Promise<unknown> {
    const key = await this.#resolveInto(hooks, specifier, null);
    if (key instanceof Error) throw key;
    return this.#evaluate(key);
  }

  /** Loads a built-in module by name as a gateway would (the builtin hooks, trusted). */
  async importBuiltin(name: string): Promise<unknown> {
    const builtin = builtinModule(name);
    if (builtin === null) throw new Error(`no realm implementation for '${name}'`);
    const key = await this.#load(builtin.hooks, builtin.location);
    return this.#evaluate(key);
  }

  /** Locations evaluated so far, in order. */
  get loaded(): string[] {
    return [...this.#records.values()].filter((record) => record.module !== null).map((record) => record.location);
  }

  async #resolveInto(hooks: ModuleHooks, specifier: string, referrer: string | null): Promise<string | Error> {
    try {
      const builtinName = normalizeBuiltinName(specifier);
      if (builtinName !== null) {
        const builtin = builtinModule(builtinName);
        if (builtin === null || (this.#builtins !== 'all' && !this.#builtins.has(builtin.grant) && hooks !== builtin.hooks)) {
          return new Error(`import denied: '${specifier}'`);
        }
        return await this.#load(builtin.hooks, builtin.location);
      }
      const location = await hooks.resolve(specifier, referrer);
      if (location === null) return new Error(`Cannot find module '${specifier}' from '${referrer ?? '(root)'}'`);
      return await this.#load(hooks, location);
    } catch (error) {
      return error as Error;
    }
  }

  async #load(hooks: ModuleHooks, location: string): Promise<string> {
    const key = `${hooks.name}|${location}`;
    if (this.#records.has(key)) return key;
    const record: ModuleRecord = { key, hooks, location, code: null, error: null, deps: new Map(), module: null };
    this.#records.set(key, record);
    const loaded = await hooks.load(location);
    if (loaded === null) {
      record.error = new Error(`module vanished: ${location}`);
      return key;
    }
    const prepared = prepareModule({ source: loaded.source, filename: loaded.filename });
    if (!prepared.ok) {
      record.error = new SyntaxError(prepared.error.message);
      return key;
    }
    record.code = prepared.code;
    const specifiers = new Set<string>();
    for (const match of prepared.code.matchAll(/\brequire\(\s*(['"])((?:(?!\1).)*)\1\s*\)/g)) specifiers.add(match[2]!);
    await Promise.all(
      [...specifiers].map(async (specifier) => {
        record.deps.set(specifier, await this.#resolveInto(hooks, specifier, location));
      }),
    );
    return key;
  }

  #evaluate(key: string): unknown {
    const record = this.#records.get(key)!;
    if (record.module !== null) return record.module.exports;
    if (record.error !== null) throw record.error;
    const module = { exports: {} as unknown, loaded: false };
    record.module = module;
    const fn = vm.runInContext(wrapModuleCode(record.code!), this.context, { filename: record.location }) as (...args: unknown[]) => unknown;
    const require = (specifier: string): unknown => {
      const dep = record.deps.get(specifier);
      if (dep === undefined) throw new Error(`stand-in: '${specifier}' was not found statically in ${record.location}`);
      if (dep instanceof Error) throw dep;
      return this.#evaluate(dep);
    };
    const previous = this.#current;
    this.#current = record.location;
    try {
      fn.call(module.exports, module.exports, require, module, record.location, posix.dirname(record.location));
    } catch (error) {
      record.module = null;
      record.error = error as Error;
      throw error;
    } finally {
      this.#current = previous;
    }
    module.loaded = true;
    return module.exports;
  }
}
