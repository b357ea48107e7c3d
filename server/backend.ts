// The seam between the HTTP layer and the executor: what /v1/run needs from a pool of workers.
// The server builds one over the executor's pool-backed one-shot run (server/executor-backend.ts);
// tests can pass their own to exercise admission control and the drain without real workers.
import type { Language, SourceType } from '../analyzer/types.js';
import type { Limits, Policy } from '../policy/index.js';
import type { RunResult } from '../executor/types.js';

/** One run, as the route hands it to the backend. Limits are already clamped to the policy. */
export interface BackendRunRequest {
  source: string;
  filename: string;
  language?: Language;
  sourceType?: SourceType | 'unambiguous';
  /** The served policy, with `limits` replaced by the clamped ones. */
  policy: Policy;
  limits: Limits;
  /** Modules served through MemoryHooks (absent: the run may import only granted built-ins). */
  modules?: Readonly<Record<string, string>>;
  /** JSON handed to the script as the global `input` (absent when the request had none). */
  input?: { value: unknown };
  /** Aborted when the client goes away. */
  signal?: AbortSignal;
}

/** A finished run, and when the worker it used can take the next one. */
export interface BackendRunOutcome {
  result: RunResult;
  /**
   * Settles when the worker is ready again: at once after a normal run, after its replacement when
   * the run was killed (time, memory, crash). The server keeps the slot, charged to the client whose
   * run it was, until then, so a replacement is not waited out by the next client's run.
   */
  workerReady?: Promise<unknown>;
}

export interface RunBackend {
  /** Workers that run at once (the gate admits this many). */
  readonly concurrency: number;
  /** True once the pool is warm and can take runs without paying start-up on the request path. */
  ready(): boolean;
  /** Runs one script in a fresh realm. Never rejects for anything the guest did: that is a result. */
  run(request: BackendRunRequest): Promise<BackendRunOutcome>;
  /** Frees the workers (after in-flight runs end). */
  close(): Promise<void>;
}
