// Types shared by the executor (gate 2), its import gateway, the CLI and the HTTP API.
// Results and errors are plain data with stable codes, so every front door reports them alike.
import type { Finding } from '../analyzer/types.js';

/** How a run ended. These six and no others. */
export type RunStatus = 'ok' | 'rejected' | 'error' | 'timeout' | 'memory-limit' | 'exit';

/** Stable error codes shared by the library, the CLI and the HTTP API (see docs/errors.md). */
export const ERROR_CODES = {
  /** Gate 1 rejected the code (or a module it imported); nothing ran. */
  REJECTED: 'AIRLOCK_REJECTED',
  /** The run passed its wall-clock limit (synchronous loops and asynchronous work alike). */
  TIMEOUT: 'AIRLOCK_TIMEOUT',
  /** The run passed its heap limit. */
  MEMORY_LIMIT: 'AIRLOCK_MEMORY_LIMIT',
  /** Guest code threw (or its final promise rejected). */
  GUEST_ERROR: 'AIRLOCK_GUEST_ERROR',
  /** An import the policy does not grant. */
  IMPORT_DENIED: 'AIRLOCK_IMPORT_DENIED',
  /** The hooks could not resolve or load a module. */
  MODULE_NOT_FOUND: 'AIRLOCK_MODULE_NOT_FOUND',
  /** A hook threw or returned something malformed. */
  HOOK_ERROR: 'AIRLOCK_HOOK_ERROR',
  /** More modules than `limits.maxModules`. */
  MODULE_LIMIT: 'AIRLOCK_MODULE_LIMIT',
  /** Output past `limits.maxOutputBytes` (the output is cut; the run ends with this error). */
  OUTPUT_LIMIT: 'AIRLOCK_OUTPUT_LIMIT',
  /** Source past `limits.maxSourceBytes`. */
  SOURCE_TOO_LARGE: 'AIRLOCK_SOURCE_TOO_LARGE',
  /** Guest code called the granted `exit(code)`. */
  EXIT: 'AIRLOCK_EXIT',
  /** The worker died for a reason other than the limits above. */
  WORKER_CRASH: 'AIRLOCK_WORKER_CRASH',
  /** The executor was closed. */
  CLOSED: 'AIRLOCK_CLOSED',
  /** The caller aborted the call through its AbortSignal (before or during the run). */
  ABORTED: 'AIRLOCK_ABORTED',
  /** The run queue is full (callers should retry later). */
  QUEUE_FULL: 'AIRLOCK_QUEUE_FULL',
  /** Bad arguments from the caller (not from guest code). */
  BAD_REQUEST: 'AIRLOCK_BAD_REQUEST',
  /** A policy or config that does not validate. */
  BAD_POLICY: 'AIRLOCK_BAD_POLICY',
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export interface RunError {
  code: ErrorCode;
  /** The guest error's name (`TypeError`...) or the airlock error's name. */
  name: string;
  message: string;
}

/** The result of every executor call. */
export interface RunResult {
  status: RunStatus;
  /** The completion value (or what the final promise resolved to), as structured-clone data. */
  value: unknown;
  /** Set when the value could not be cloned: what it was (`[Function: f]`, `[object Proxy]`...). */
  valueDescription?: string;
  stdout: string;
  stderr: string;
  /** Gate 1 findings for the submitted code and every module it loaded. */
  findings: Finding[];
  error: RunError | null;
  /** With status `exit`: the code guest code passed to `exit()`. */
  exitCode?: number;
  durationMs: number;
}

/** A module's text as the hooks return it. */
export interface ModuleSource {
  /** The module text (JavaScript, TypeScript or JSON). */
  source: string;
  /** Decides the language and format, by extension (`.ts`, `.mjs`, `.cjs`, `.json`...). */
  filename: string;
}

/**
 * RHooks: where modules come from. The executor never touches the file system or network itself;
 * every module search and read goes through an object of this shape, passed in by the host.
 */
export interface ModuleHooks {
  /** Names the hooks in logs and errors (`fs:/srv/plugins`, `memory`, `http:https://cdn.example`). */
  readonly name: string;
  /**
   * Resolves a specifier against the referrer's location (`null` for the entry script). Returns an
   * opaque location string the hooks understand, or null when the module does not exist.
   */
  resolve(specifier: string, referrer: string | null): string | null | Promise<string | null>;
  /** Reads a resolved location. May be asynchronous; `require` still works (the gateway waits). */
  load(location: string): ModuleSource | null | Promise<ModuleSource | null>;
  /**
   * A substitute for a built-in module the policy does not grant (as rexec let a subclass supply a
   * safe `r_open`): source text evaluated inside the realm, analysed like any other module.
   */
  builtin?(name: string): ModuleSource | null | Promise<ModuleSource | null>;
}

/** A gateway decision, for `verbose` logging. */
export interface GatewayEvent {
  kind: 'resolve' | 'load' | 'analysed' | 'granted' | 'denied' | 'error';
  specifier?: string;
  referrer?: string | null;
  location?: string;
  detail?: string;
}
