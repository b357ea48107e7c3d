// The run backend over the executor's one-shot runs (executor/executor.ts `Runner`: a fresh realm per
// run from a warm worker), with modules served through MemoryHooks and `input` handed over as data.
//
// One single-worker Runner per worker rather than one Runner of N: the server then knows which worker
// a run used and when that worker is ready again. After a run killed at a limit the worker is being
// replaced; the server keeps that slot (charged to the client whose run it was) until the replacement
// is ready, instead of admitting the next run to wait inside the executor's queue, where it would
// take whichever worker frees first and could leave other clients' short runs behind a killed one.
import { Runner } from '../executor/executor.js';
import { MemoryHooks } from '../executor/hooks/index.js';
import { ERROR_CODES, type ModuleHooks, type RunResult } from '../executor/types.js';
import type { Policy } from '../policy/index.js';
import type { ExternalAnalyzer } from '../executor/executor.js';
import type { BackendRunOutcome, BackendRunRequest, RunBackend } from './backend.js';
import { AnalysisQueueFull } from './analysis.js';
import type { AnalysisService } from './analysis.js';

export interface ExecutorBackendOptions {
  /** Pool size: runs executing at once. */
  workers: number;
  /** The policy the pool is built for (its memory limit picks the workers' heap size). */
  policy: Policy;
  /** Runs gate 1 off the event loop (the served policies by name); absent: on the calling thread. */
  analysis?: AnalysisService;
}

/** A backend over the executor's Runner. */
export function createExecutorBackend(options: ExecutorBackendOptions): RunBackend {
  return new ExecutorBackend(options);
}

class ExecutorBackend implements RunBackend {
  readonly concurrency: number;
  readonly #runners: Runner[];
  /** Runners whose worker is ready and not running anything. */
  readonly #idle: Runner[] = [];
  readonly #waiting: ((runner: Runner) => void)[] = [];
  #warmed = false;
  #closed = false;

  constructor(options: ExecutorBackendOptions) {
    this.concurrency = options.workers;
    const analysis = options.analysis;
    const analyzer: ExternalAnalyzer | undefined =
      analysis === undefined
        ? undefined
        : (source, { filename, policy }) =>
            analysis.analyze({ source, filename, policy: policy.name, limits: { maxSourceBytes: policy.limits.maxSourceBytes, maxAstNodes: policy.limits.maxAstNodes } });
    this.#runners = Array.from({ length: options.workers }, () => new Runner({ policy: options.policy, size: 1, maxQueue: 1000, ...(analyzer !== undefined ? { analyzer } : {}) }));
    Promise.all(this.#runners.map((runner) => this.#whenReady(runner))).then(
      () => (this.#warmed = true),
      () => undefined,
    );
  }

  ready(): boolean {
    return this.#warmed && !this.#closed;
  }

  async run(request: BackendRunRequest): Promise<BackendRunOutcome> {
    const started = performance.now();
    let hooks: MemoryHooks | undefined;
    if (request.modules !== undefined && Object.keys(request.modules).length > 0) {
      try {
        hooks = new MemoryHooks({ ...request.modules });
      } catch (error) {
        return { result: badRequest((error as Error).message, started) };
      }
    }
    const runner = await this.#take();
    let result: RunResult;
    try {
      result = await runner.run(request.source, {
        policy: request.policy,
        limits: request.limits,
        filename: entryFilename(request),
        ...(hooks !== undefined ? { hooks: hooks as ModuleHooks } : {}),
        ...(request.input !== undefined ? { input: request.input.value } : {}),
        ...(request.signal !== undefined ? { signal: request.signal } : {}),
      });
    } catch (error) {
      const workerReady = this.#whenReady(runner);
      if (error instanceof AnalysisQueueFull) return { result: queueFull(started), workerReady };
      const code = (error as { code?: unknown }).code;
      if (code === ERROR_CODES.BAD_REQUEST || code === ERROR_CODES.BAD_POLICY) return { result: badRequest((error as Error).message, started, code), workerReady };
      throw error;
    }
    return { result, workerReady: this.#whenReady(runner) };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#runners.map((runner) => runner.close()));
  }

  /** An idle runner (the gate admits no more runs than there are, so waiting here is brief). */
  #take(): Promise<Runner> {
    const runner = this.#idle.shift();
    if (runner !== undefined) return Promise.resolve(runner);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Resolves when the runner's worker is ready again, and puts it back in the idle list. */
  #whenReady(runner: Runner): Promise<void> {
    return runner.warm().then(() => {
      if (this.#closed) return;
      const waiter = this.#waiting.shift();
      if (waiter !== undefined) waiter(runner);
      else this.#idle.push(runner);
    });
  }
}

/**
 * The executor picks language and format from the entry's file name, so `language` and
 * `sourceType` become its extension (`main.ts`, `main.mjs`, `main.cts`...).
 */
export function entryFilename(request: Pick<BackendRunRequest, 'filename' | 'language' | 'sourceType'>): string {
  if (request.language === undefined && (request.sourceType === undefined || request.sourceType === 'unambiguous')) return request.filename;
  const stem = request.filename.replace(/\.[cm]?[jt]sx?$/i, '');
  const language = request.language ?? languageOfName(request.filename);
  const typescript = language === 'ts' || language === 'tsx';
  if (request.sourceType === 'module' && !language.endsWith('x')) return `${stem}${typescript ? '.mts' : '.mjs'}`;
  if (request.sourceType === 'script' && !language.endsWith('x')) return `${stem}${typescript ? '.cts' : '.cjs'}`;
  return `${stem}.${language}`;
}

function languageOfName(filename: string): 'js' | 'jsx' | 'ts' | 'tsx' {
  const match = /\.([cm]?)(js|ts)(x?)$/i.exec(filename);
  if (match === null) return 'js';
  return `${match[2]!.toLowerCase()}${match[3]!.toLowerCase()}` as 'js' | 'jsx' | 'ts' | 'tsx';
}

function queueFull(started: number): RunResult {
  return failure({ code: ERROR_CODES.QUEUE_FULL, name: 'QueueFull', message: 'the analysis queue is full; retry later' }, started);
}

function badRequest(message: string, started: number, code: typeof ERROR_CODES.BAD_REQUEST | typeof ERROR_CODES.BAD_POLICY = ERROR_CODES.BAD_REQUEST): RunResult {
  return failure({ code, name: 'BadRequest', message }, started);
}

/** A run that ended before any worker took it. */
function failure(error: NonNullable<RunResult['error']>, started: number): RunResult {
  return { status: 'error', value: undefined, stdout: '', stderr: '', findings: [], error, durationMs: performance.now() - started };
}
