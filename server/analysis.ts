// Gate 1 for POST /v1/analyze: on a small pool of analysis threads (default), so that parsing a large
// submission never stalls the event loop that every other request (and every run's orchestration)
// shares; or on the calling thread (`analysisThreads: 0`). A thread that runs out of memory, crashes
// or passes the time limit is replaced and its analysis fails closed: the answer is a reject with a
// fatal internal-error finding, never an accept.
//
// A small pool of its own rather than piscina: after a thread died of its heap limit, piscina 5 left
// the pool with no thread and the queued tasks waiting for ever (and emitted 'error' on the pool).
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { Finding } from '../analyzer/types.js';
import type { Policy } from '../policy/index.js';
import { analyzeWith, type AnalysisOutcome, type AnalysisTask } from './analysis-worker.js';

export type { AnalysisOutcome, AnalysisTask } from './analysis-worker.js';

/** Thrown when the analysis queue is full (the route answers 503). */
export class AnalysisQueueFull extends Error {
  override name = 'AnalysisQueueFull';
}

export interface AnalysisService {
  analyze(task: AnalysisTask): Promise<AnalysisOutcome>;
  close(): Promise<void>;
}

export interface AnalysisServiceOptions {
  /** Threads; 0 analyses on the calling thread. */
  threads: number;
  /** Analyses waiting for a thread before new ones are refused. */
  maxQueue: number;
  policies: ReadonlyMap<string, Policy>;
  /** Heap limit of each analysis thread, in MiB (default 512). */
  memoryMb?: number;
  /** Longest one analysis may take on a thread before the thread is stopped (default 10 s). */
  timeoutMs?: number;
  /** Told when an analysis thread dies (it is replaced). */
  onThreadError?: (error: unknown) => void;
}

/** Builds the analysis service. */
export function createAnalysisService(options: AnalysisServiceOptions): AnalysisService {
  if (options.threads <= 0) {
    return {
      async analyze(task) {
        const policy = options.policies.get(task.policy);
        if (policy === undefined) throw new Error(`unknown policy '${task.policy}'`);
        return analyzeWith(policy, task);
      },
      async close() {},
    };
  }
  return new AnalysisPool(options);
}

interface Pending {
  task: AnalysisTask;
  resolve: (outcome: AnalysisOutcome) => void;
}

interface Thread {
  worker: Worker;
  ready: boolean;
  current: (Pending & { id: number; timer: NodeJS.Timeout }) | null;
  /** Why the thread is being stopped (set before terminate()). */
  stopping: string | null;
}

class AnalysisPool implements AnalysisService {
  readonly #options: AnalysisServiceOptions;
  readonly #threads = new Set<Thread>();
  readonly #queue: Pending[] = [];
  readonly #workerData: unknown;
  #nextId = 1;
  #closed = false;
  /** Threads that died before they were ready, in a row: a thread that cannot even start. */
  #startFailures = 0;

  constructor(options: AnalysisServiceOptions) {
    this.#options = options;
    this.#workerData = { airlockAnalysis: { policies: Object.fromEntries(options.policies) } };
    for (let i = 0; i < options.threads; i++) this.#spawn();
  }

  analyze(task: AnalysisTask): Promise<AnalysisOutcome> {
    if (this.#closed) return Promise.resolve(failedClosed('the server is shutting down'));
    if (this.#queue.length >= this.#options.maxQueue) return Promise.reject(new AnalysisQueueFull(`${this.#queue.length} analyses are waiting`));
    return new Promise((resolve) => {
      this.#queue.push({ task, resolve });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const pending of this.#queue.splice(0)) pending.resolve(failedClosed('the server is shutting down'));
    await Promise.all(
      [...this.#threads].map((thread) => {
        thread.stopping = 'the server is shutting down';
        return thread.worker.terminate();
      }),
    );
  }

  #spawn(): void {
    const worker = new Worker(new URL('./analysis-worker.js', import.meta.url), {
      workerData: this.#workerData,
      env: {},
      resourceLimits: { maxOldGenerationSizeMb: this.#options.memoryMb ?? 512 },
    });
    const thread: Thread = { worker, ready: false, current: null, stopping: null };
    this.#threads.add(thread);
    worker.on('message', (message: { type?: 'ready'; id?: number; outcome?: AnalysisOutcome; error?: string }) => {
      if (message.type === 'ready') {
        thread.ready = true;
        this.#startFailures = 0;
        this.#dispatch();
        return;
      }
      const current = thread.current;
      if (current === null || current.id !== message.id) return;
      clearTimeout(current.timer);
      thread.current = null;
      current.resolve(message.outcome ?? failedClosed(`the analysis failed (${message.error ?? 'no answer'})`));
      this.#dispatch();
    });
    worker.on('error', (error) => {
      thread.stopping ??= `the analysis thread stopped (${error.message})`;
      this.#options.onThreadError?.(error);
    });
    worker.on('exit', () => {
      this.#threads.delete(thread);
      const current = thread.current;
      thread.current = null;
      if (current !== null) {
        clearTimeout(current.timer);
        current.resolve(failedClosed(thread.stopping ?? 'the analysis thread exited'));
      }
      if (this.#closed) return;
      if (!thread.ready) {
        // It died while loading: fail what waits (nothing may wait for a thread that cannot start),
        // and back off before the next attempt.
        this.#startFailures++;
        for (const pending of this.#queue.splice(0)) pending.resolve(failedClosed(thread.stopping ?? 'the analysis thread could not start'));
        const delay = Math.min(30_000, 100 * 2 ** Math.min(this.#startFailures, 9));
        setTimeout(() => {
          if (!this.#closed) this.#spawn();
        }, delay).unref();
        return;
      }
      this.#spawn();
      this.#dispatch();
    });
  }

  #dispatch(): void {
    for (const thread of this.#threads) {
      if (this.#queue.length === 0) return;
      if (!thread.ready || thread.current !== null || thread.stopping !== null) continue;
      const pending = this.#queue.shift()!;
      const id = this.#nextId++;
      const timeoutMs = this.#options.timeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        thread.stopping = `it took longer than ${timeoutMs} ms`;
        void thread.worker.terminate();
      }, timeoutMs);
      thread.current = { ...pending, id, timer };
      thread.worker.postMessage({ id, task: pending.task });
    }
  }
}

/** A reject with one fatal finding: the analysis could not be completed. */
function failedClosed(reason: string): AnalysisOutcome {
  const finding: Finding = {
    ruleId: 'internal-error',
    messageId: 'crash',
    message: `Analysis failed: ${reason.slice(0, 200)}; the file counts as unanalysed.`,
    severity: 'error',
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
    fatal: true,
    fingerprint: createHash('sha256').update('internal-error:crash').digest('hex').slice(0, 32),
  };
  return { verdict: 'reject', findings: [finding], durationMs: 0 };
}
