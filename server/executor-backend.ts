// The run backend over the executor's one-shot runs (executor/executor.ts `Runner`: a fresh realm per
// run from a warm worker), with modules served through MemoryHooks.
//
// One single-worker Runner per worker rather than one Runner of N: the server then knows which worker
// a run used and when that worker is ready again. After a run killed at a limit the worker is being
// replaced; the server keeps that slot (charged to the client whose run it was) until the replacement
// is ready, instead of admitting the next run to wait inside the executor's queue, where it would
// take whichever worker frees first and could leave other clients' short runs behind a killed one.
import type { Finding } from '../analyzer/types.js';
import { Runner } from '../executor/executor.js';
import { MemoryHooks } from '../executor/hooks/index.js';
import { ERROR_CODES, type ModuleHooks, type RunResult } from '../executor/types.js';
import type { Policy } from '../policy/index.js';
import type { BackendRunOutcome, BackendRunRequest, RunBackend } from './backend.js';

export interface ExecutorBackendOptions {
  /** Pool size: runs executing at once. */
  workers: number;
  /** The policy the pool is built for (its memory limit picks the workers' heap size). */
  policy: Policy;
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
    this.#runners = Array.from({ length: options.workers }, () => new Runner({ policy: options.policy, size: 1, maxQueue: 1000 }));
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
    const entry = request.input === undefined ? null : inputPrefix(request.source, request.input.value);
    const runner = await this.#take();
    let result: RunResult;
    try {
      result = await runner.run(entry?.source ?? request.source, {
        policy: request.policy,
        limits: request.limits,
        filename: entryFilename(request),
        ...(hooks !== undefined ? { hooks: hooks as ModuleHooks } : {}),
      });
    } catch (error) {
      const workerReady = this.#whenReady(runner);
      const code = (error as { code?: unknown }).code;
      if (code === ERROR_CODES.BAD_REQUEST || code === ERROR_CODES.BAD_POLICY) return { result: badRequest((error as Error).message, started, code), workerReady };
      throw error;
    }
    const workerReady = this.#whenReady(runner);
    if (entry !== null) result = { ...result, findings: entry.fixFindings(result.findings, new Set(hooks?.locations ?? [])) };
    return { result, workerReady };
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

function badRequest(message: string, started: number, code: typeof ERROR_CODES.BAD_REQUEST | typeof ERROR_CODES.BAD_POLICY = ERROR_CODES.BAD_REQUEST): RunResult {
  return {
    status: 'error',
    value: undefined,
    stdout: '',
    stderr: '',
    findings: [],
    error: { code, name: 'BadRequest', message },
    durationMs: performance.now() - started,
  };
}

const DIRECTIVE_PROLOGUE = /^(?:\uFEFF)?(?:[ \t]*(?:'use strict'|"use strict")[ \t]*;?)/;

/**
 * STOPGAP until the executor takes an `input` option: the value is declared in the entry's own text,
 * `const input = <JSON>;`, inserted on line 1 (after a "use strict" directive, which must stay first)
 * without a newline, so line numbers are unchanged; findings on line 1 are shifted back. Gate 1 sees
 * the declaration (a data literal, nothing to flag), and code that declares its own `input` at top
 * level gets a redeclaration SyntaxError.
 */
export function inputPrefix(
  source: string,
  value: unknown,
): { source: string; fixFindings: (findings: Finding[], moduleLocations: ReadonlySet<string>) => Finding[] } {
  // JSON.stringify leaves U+2028/U+2029 raw; escaped, the declaration stays on one line for every parser.
  const json = JSON.stringify(value === undefined ? null : value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  const declaration = `const input = ${json}; `;
  const at = DIRECTIVE_PROLOGUE.exec(source)?.[0].length ?? 0;
  const shifted = `${source.slice(0, at)}${at > 0 ? ' ' : ''}${declaration}${source.slice(at)}`;
  const inserted = shifted.length - source.length;
  const column = (c: number) => (c > at + inserted ? c - inserted : c > at ? at + 1 : c);
  const fixFindings = (findings: Finding[], moduleLocations: ReadonlySet<string>) =>
    findings.map((finding) => {
      // The gateway marks findings of imported modules with data.module = their location; only the
      // entry's own text was shifted. (Rules may put a specifier in data.module too, hence the set.)
      const module = finding.data?.module;
      if ((finding.line !== 1 && finding.endLine !== 1) || (typeof module === 'string' && moduleLocations.has(module))) return finding;
      const out = { ...finding };
      if (out.line === 1) out.column = column(out.column);
      if (out.endLine === 1) out.endColumn = column(out.endColumn);
      return out;
    });
  return { source: shifted, fixFindings };
}
