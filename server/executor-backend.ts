// The run backend over the executor's pool-backed one-shot run. Loaded lazily so that the server
// (analysis, rules, policies) works in a tree where the executor's run API is not present yet.
import type { RunBackend } from './backend.js';

export interface ExecutorBackendOptions {
  /** Pool size: runs executing at once. */
  workers: number;
}

/** A backend over the executor, or null when this tree has no executor run API. */
export async function createExecutorBackend(_options: ExecutorBackendOptions): Promise<RunBackend | null> {
  return null;
}
