// Messages between the host (or the process-isolation child that relays for it) and a sandbox worker.
// Everything here is structured-clone data; nothing carries a function or a host object.
import type { MessagePort } from 'node:worker_threads';
import type { RealmRunConfig } from './prelude.js';

/** What a run evaluates first. */
export type RunEntry =
  /** A classic script: its completion value is the result (exec, eval, one-shot run). */
  | { kind: 'script'; code: string; filename: string }
  /** A module body already wrapped as a function expression (ESM entry after the transform). */
  | { kind: 'module'; wrapped: string; filename: string; location: string; format: string; async: boolean }
  /** `require(specifier)` from the entry (r_import); the result is the module's exports. */
  | { kind: 'require'; specifier: string };

export interface RunMessage {
  type: 'run';
  id: number;
  entry: RunEntry;
  config: RealmRunConfig;
  maxOutputBytes: number;
  /** Keep the realm for the next call (Executor) or discard it and build a fresh one (one-shot). */
  keepRealm: boolean;
  timeoutMs: number;
}

export type ToWorker = RunMessage | { type: 'reset' };

/** A module the gateway granted, ready to be compiled in the realm. */
export interface GrantedModule {
  /** `(function (exports, require, module, __filename, __dirname) {...})` */
  wrapped: string;
  filename: string;
  format: string;
  async: boolean;
}

/** The gateway's answer to a `require` (sent over the synchronous port). */
export type RequireAnswer =
  | { req: number; ok: true; location: string; module?: GrantedModule }
  | { req: number; ok: false; code: string; name: string; message: string };

export interface GuestErrorData {
  name: string;
  message: string;
  code?: string;
}

export type FromWorker =
  /** A warm realm is ready (sent after start-up and after each realm rebuild). */
  | { type: 'ready' }
  | { type: 'out'; id: number; stream: 1 | 2; text: string }
  /** A run passed a limit or called exit(): the host ends it after a short grace. */
  | { type: 'notice'; id: number; kind: 'output-limit' | 'memory-limit' | 'exit'; exitCode?: number }
  | { type: 'require'; id: number; req: number; specifier: string; referrer: string | null }
  | {
      type: 'result';
      id: number;
      outcome: 'ok' | 'error' | 'exit';
      /** With `ok`: the encoded value (codec.ts), or '' when it could not be cloned. */
      value?: string;
      description?: string;
      error?: GuestErrorData;
      exitCode?: number;
    }
  /** The worker's own failure (not guest code): the host replaces it. */
  | { type: 'fatal'; message: string }
  /**
   * What a finished run left behind (microtasks queued while its value was encoded) has run out; sent
   * before the next realm is built. Its transport consumes it (thread-transport.ts).
   */
  | { type: 'drained' };

/** Data the worker starts with. */
export interface WorkerData {
  /** Int32 flag the worker waits on while the host answers a `require`. */
  syncBuffer: SharedArrayBuffer;
  /** The port the host answers on (the worker reads it synchronously). */
  syncPort: MessagePort;
  /** Realms built ahead of demand while idle (1 or 2). */
  warmRealms: number;
}
