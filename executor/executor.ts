// The executor (gate 2), rexec's RExec rebuilt: `Executor` holds one persistent realm (eval, exec,
// execFile, import share state, as r_exec calls shared __main__); `run()` and `Runner` give every run
// a fresh realm from a pool of warm workers. Every call first runs gate 1 under the policy; a rejected
// call never reaches a realm. Results are plain data (types.ts RunResult) with stable error codes.
import { availableParallelism } from 'node:os';
import { analyze } from '../analyzer/engine.js';
import type { AnalysisReport, Finding } from '../analyzer/types.js';
import { resolvePolicy } from '../policy/index.js';
import type { Limits, Policy, PolicyInput } from '../policy/index.js';
import { decodeValue } from './codec.js';
import { GatewaySession, ImportGateway } from './gateway.js';
import type { GatewayLogger } from './gateway.js';
import { checkHooks } from './hooks/index.js';
import type { RealmRunConfig } from './prelude.js';
import type { RunEntry } from './protocol.js';
import { Sandbox, hostAllowanceMs } from './sandbox.js';
import type { Isolation, RunHandlers, SandboxOutcome } from './sandbox.js';
import { transformScript, wrapModuleCode } from './transform.js';
import { ERROR_CODES } from './types.js';
import type { ErrorCode, GatewayEvent, ModuleHooks, RunError, RunResult } from './types.js';

export type { Isolation } from './sandbox.js';

/** Where `verbose` sends gateway decisions: true for stderr, or a function. */
export type VerboseOption = boolean | ((line: string, event: GatewayEvent) => void);

export interface ExecutorOptions {
  /** The policy both gates read (default: the `strict` profile, the one for untrusted code). */
  policy?: Policy | PolicyInput;
  /** Where modules come from (default: none; only granted built-ins can be required). */
  hooks?: ModuleHooks;
  /** Overrides of the policy's limits. */
  limits?: Partial<Limits>;
  /** Log each import gateway decision (resolve, load, analysed, granted, denied). */
  verbose?: VerboseOption;
  /** `process` (default): a worker inside a permission-restricted child process; `worker`: a worker thread in this process. */
  isolation?: Isolation;
}

export interface CallOptions {
  /** Names the code in stack traces and findings; its extension picks the language (`.ts`, `.mjs`...). */
  filename?: string;
  /** JSON data handed to the code as the global `input` (a copy made inside the realm). */
  input?: unknown;
  /**
   * Ends the call when it fires: a call still waiting (for the queue or a worker) never starts, and a
   * running one is stopped where it is (its worker is replaced, so an Executor loses its realm, as
   * after a timeout). The result is `status: 'error'` with `AIRLOCK_ABORTED`.
   */
  signal?: AbortSignal;
}

export interface RunOptions extends ExecutorOptions, CallOptions {}

/**
 * Gate 1 run somewhere else (a pool of analysis threads, so a large submission does not stall the
 * caller's event loop): it must answer what `analyze(source, { filename, policy })` would. A rejection
 * propagates to the caller of `run()`.
 */
export type ExternalAnalyzer = (source: string, options: { filename: string; policy: Policy }) => Promise<Pick<AnalysisReport, 'verdict' | 'findings'>>;

export interface RunnerOptions extends ExecutorOptions {
  /** Where gate 1 runs (default: `analyze` on the calling thread). */
  analyzer?: ExternalAnalyzer;
  /** Workers per heap size (default: the machine's available parallelism). */
  size?: number;
  /** Runs waiting for a worker before new ones are refused with AIRLOCK_QUEUE_FULL (default 1000). */
  maxQueue?: number;
  /**
   * Realms each idle worker keeps built ahead of demand (default 1). A worker reports ready once its
   * first realm is built, so with the default a ready worker is an idle one; more realms let one worker
   * start back-to-back runs without a rebuild between them, at the cost of being busy building while
   * it looks ready.
   */
  warmRealms?: number;
}

/** An error in the caller's request (bad options), thrown rather than returned. */
export class ExecutorError extends Error {
  override name = 'ExecutorError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Hooks that serve nothing: without user hooks only granted built-ins can be required. */
const NO_HOOKS: ModuleHooks = Object.freeze({
  name: 'none',
  resolve: () => null,
  load: () => null,
});

const MIB = 1024 * 1024;

/**
 * `process` by default: V8 aborts the whole process when one allocation cannot fit in a worker's
 * heap (`new Array(2 ** 28).fill(0)`, a Map growing near the limit), so only a process boundary keeps
 * a memory bomb from taking the host down. `worker` is faster to start and lighter, for code whose
 * author may crash the host without harm to others.
 */
export const DEFAULT_ISOLATION: Isolation = 'process';

interface Settings {
  policy: Policy;
  hooks: ModuleHooks;
  logger: GatewayLogger | null;
  isolation: Isolation;
}

function settingsOf(options: ExecutorOptions, base?: Settings): Settings {
  const opts = Object.assign(Object.create(null) as ExecutorOptions, options);
  let policy: Policy;
  try {
    policy = opts.policy !== undefined ? resolvePolicy(opts.policy) : (base?.policy ?? resolvePolicy({ profile: 'strict' }));
    if (opts.limits !== undefined) policy = resolvePolicy({ limits: { ...opts.limits } }, policy);
  } catch (error) {
    throw new ExecutorError(ERROR_CODES.BAD_POLICY, (error as Error).message);
  }
  const badLimit = checkLimits(policy.limits);
  if (badLimit !== null) throw new ExecutorError(ERROR_CODES.BAD_POLICY, badLimit);
  const hooks = opts.hooks ?? base?.hooks ?? NO_HOOKS;
  const problem = checkHooks(hooks);
  if (problem !== null) throw new ExecutorError(ERROR_CODES.BAD_REQUEST, problem);
  const isolation = checkIsolation(opts.isolation ?? base?.isolation ?? DEFAULT_ISOLATION);
  return { policy, hooks, logger: loggerOf(opts.verbose) ?? base?.logger ?? null, isolation };
}

/** The isolation mode, or BAD_REQUEST for anything else (a typo must not fall back to the weaker wall). */
function checkIsolation(isolation: unknown): Isolation {
  if (isolation !== 'worker' && isolation !== 'process') throw new ExecutorError(ERROR_CODES.BAD_REQUEST, `isolation must be 'worker' or 'process', not '${String(isolation)}'`);
  return isolation;
}

/** The smallest value of each limit the sandbox can enforce. */
const LIMIT_MINIMUMS: Readonly<Record<keyof Limits, number>> = { maxSourceBytes: 1, maxAstNodes: 1, timeoutMs: 1, memoryMb: 8, maxOutputBytes: 0, maxModules: 0 };

/**
 * A problem with a policy's limits, or null. A policy object that already looks resolved is taken as
 * is by resolvePolicy, so its limits are checked here: `Infinity` or `NaN` would switch a limit off
 * (a worker heap without bound, a watchdog that fires at once or never).
 */
function checkLimits(limits: Limits): string | null {
  if (typeof limits !== 'object' || limits === null) return 'invalid policy: limits must be an object';
  for (const [key, min] of Object.entries(LIMIT_MINIMUMS)) {
    const v = (limits as unknown as Record<string, unknown>)[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) return `invalid policy: limits.${key} must be an integer >= ${min}, not ${String(v)}`;
  }
  return null;
}

function loggerOf(verbose: VerboseOption | undefined): GatewayLogger | null {
  if (verbose === undefined || verbose === false) return null;
  if (verbose === true) return (_event, line) => process.stderr.write(`${line}\n`);
  if (typeof verbose === 'function') return (event, line) => verbose(line, event);
  return null;
}

function runConfig(policy: Policy, entryLocation: string | null, inputJson: string | undefined): RealmRunConfig {
  return {
    allowExit: policy.allowExit,
    globals: [...policy.globals],
    externalBytes: policy.limits.memoryMb * MIB,
    entryLocation,
    ...(inputJson !== undefined ? { input: inputJson } : {}),
  };
}

/** The JSON text of a call's input, or a BAD_REQUEST error when it is not JSON data. */
function inputJsonOf(input: unknown): string | undefined {
  if (input === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(input);
  } catch (error) {
    throw new ExecutorError(ERROR_CODES.BAD_REQUEST, `input must be JSON data (${(error as Error).message})`);
  }
  if (text === undefined) throw new ExecutorError(ERROR_CODES.BAD_REQUEST, 'input must be JSON data');
  return text;
}

function airlockError(code: ErrorCode, name: string, message: string): RunError {
  return { code, name, message };
}

function result(partial: Partial<RunResult> & Pick<RunResult, 'status'>, started: number, findings: Finding[], out: Output): RunResult {
  return {
    status: partial.status,
    value: partial.value,
    ...(partial.valueDescription !== undefined ? { valueDescription: partial.valueDescription } : {}),
    stdout: out.stdout,
    stderr: out.stderr,
    findings,
    error: partial.error ?? null,
    ...(partial.exitCode !== undefined ? { exitCode: partial.exitCode } : {}),
    durationMs: Math.round((performance.now() - started) * 1000) / 1000,
  };
}

interface Output {
  stdout: string;
  stderr: string;
}

/** What a call runs: submitted code (eval/exec), a file read through the hooks, or a module (import). */
type CallSpec =
  | { kind: 'code'; source: string; filename: string; expression: boolean; location: string | null; referrer: string | null }
  | { kind: 'import'; specifier: string };

const KNOWN_CODES = new Set<string>(Object.values(ERROR_CODES));

/** Gate 1 and the transform for a call: an entry to run, or the result that ends it before the realm. */
function prepareCall(
  policy: Policy,
  spec: CallSpec,
  started: number,
  report?: Pick<AnalysisReport, 'verdict' | 'findings'>,
): { entry: RunEntry; findings: Finding[] } | { result: RunResult } {
  const empty: Output = { stdout: '', stderr: '' };
  if (spec.kind === 'import') return { entry: { kind: 'require', specifier: spec.specifier }, findings: [] };
  if (typeof spec.source !== 'string') {
    throw new ExecutorError(ERROR_CODES.BAD_REQUEST, 'the code to run must be a string');
  }
  const bytes = Buffer.byteLength(spec.source, 'utf8');
  if (bytes > policy.limits.maxSourceBytes) {
    return {
      result: result(
        {
          status: 'rejected',
          error: airlockError(ERROR_CODES.SOURCE_TOO_LARGE, 'SourceTooLarge', `${spec.filename} is ${bytes} bytes, over limits.maxSourceBytes (${policy.limits.maxSourceBytes})`),
        },
        started,
        [],
        empty,
      ),
    };
  }
  let findings: Finding[] = [];
  if (policy.analysis !== 'off') {
    report ??= analyze(spec.source, { filename: spec.filename, policy });
    findings = report.findings;
    if (report.verdict === 'reject' && policy.analysis === 'enforce') {
      const errors = findings.filter((f) => f.severity === 'error' && f.suppressed === undefined);
      const first = errors[0] ?? findings[0];
      return {
        result: result(
          {
            status: 'rejected',
            error: airlockError(
              ERROR_CODES.REJECTED,
              'Rejected',
              `gate 1 rejected ${spec.filename}: ${errors.length} error${errors.length === 1 ? '' : 's'}${first ? ` (first: ${first.ruleId} at ${first.line}:${first.column}: ${first.message})` : ''}`,
            ),
          },
          started,
          findings,
          empty,
        ),
      };
    }
  }
  const prepared = transformScript({ source: spec.source, filename: spec.filename, expression: spec.expression });
  if (!prepared.ok) {
    return { result: result({ status: 'error', error: airlockError(ERROR_CODES.GUEST_ERROR, prepared.error.name, prepared.error.message) }, started, findings, empty) };
  }
  if (prepared.kind === 'script') {
    const code = prepared.code;
    return { entry: { kind: 'script', code, filename: spec.filename }, findings };
  }
  return {
    entry: { kind: 'module', wrapped: wrapModuleCode(prepared.code), filename: spec.filename, location: spec.location ?? spec.filename, format: prepared.format, async: prepared.async },
    findings,
  };
}

/** Turns what the sandbox reported into a RunResult. */
function finishCall(outcome: SandboxOutcome, policy: Policy, started: number, findings: Finding[], out: Output): RunResult {
  const limits = policy.limits;
  switch (outcome.kind) {
    case 'timeout':
      if (outcome.hooks === true) {
        return result(
          { status: 'timeout', error: airlockError(ERROR_CODES.TIMEOUT, 'Timeout', `the import hooks took more than ${hostAllowanceMs(limits.timeoutMs)} ms in all serving the run's requires (10 times limits.timeoutMs, at least 5000 ms) and it was stopped`) },
          started,
          findings,
          out,
        );
      }
      return result({ status: 'timeout', error: airlockError(ERROR_CODES.TIMEOUT, 'Timeout', `the run passed its time limit of ${limits.timeoutMs} ms and was stopped`) }, started, findings, out);
    case 'memory-limit':
      return result({ status: 'memory-limit', error: airlockError(ERROR_CODES.MEMORY_LIMIT, 'MemoryLimit', `the run passed its memory limit of ${limits.memoryMb} MiB and was stopped`) }, started, findings, out);
    case 'crash':
      return result({ status: 'error', error: airlockError(ERROR_CODES.WORKER_CRASH, 'WorkerCrash', `the sandbox worker failed: ${outcome.detail}`) }, started, findings, out);
    case 'closed':
      return result({ status: 'error', error: airlockError(ERROR_CODES.CLOSED, 'Closed', 'the executor was closed') }, started, findings, out);
    case 'aborted':
      return abortedResult(started, findings, out);
    case 'noticed':
      return noticeResult(outcome.notice, outcome.exitCode, policy, started, findings, out);
    case 'result':
      break;
  }
  if (outcome.notice === 'output-limit' || outcome.notice === 'memory-limit') return noticeResult(outcome.notice, undefined, policy, started, findings, out);
  if (outcome.notice === 'exit' && outcome.outcome !== 'exit') return noticeResult('exit', outcome.noticeExitCode, policy, started, findings, out);
  if (outcome.outcome === 'exit') {
    const code = outcome.exitCode ?? 0;
    return result({ status: 'exit', exitCode: code, error: airlockError(ERROR_CODES.EXIT, 'Exit', `guest code called exit(${code})`) }, started, findings, out);
  }
  if (outcome.outcome === 'error') {
    const e = outcome.error ?? { name: 'Error', message: 'unknown error' };
    const code = e.code !== undefined && KNOWN_CODES.has(e.code) ? (e.code as ErrorCode) : ERROR_CODES.GUEST_ERROR;
    if (code === ERROR_CODES.MEMORY_LIMIT) return noticeResult('memory-limit', undefined, policy, started, findings, out);
    if (code === ERROR_CODES.OUTPUT_LIMIT) return noticeResult('output-limit', undefined, policy, started, findings, out);
    return result({ status: 'error', error: airlockError(code, String(e.name), String(e.message)) }, started, findings, out);
  }
  if (outcome.value === undefined || outcome.value === '') {
    return result({ status: 'ok', value: undefined, valueDescription: outcome.description ?? 'a value that cannot be cloned' }, started, findings, out);
  }
  try {
    return result({ status: 'ok', value: decodeValue(outcome.value) }, started, findings, out);
  } catch {
    return result({ status: 'ok', value: undefined, valueDescription: 'a value too deeply nested to decode' }, started, findings, out);
  }
}

function abortedResult(started: number, findings: Finding[], out: Output): RunResult {
  return result({ status: 'error', error: airlockError(ERROR_CODES.ABORTED, 'Aborted', 'the call was aborted by its caller') }, started, findings, out);
}

function noticeResult(notice: 'output-limit' | 'memory-limit' | 'exit', exitCode: number | undefined, policy: Policy, started: number, findings: Finding[], out: Output): RunResult {
  if (notice === 'exit') {
    const code = exitCode ?? 0;
    return result({ status: 'exit', exitCode: code, error: airlockError(ERROR_CODES.EXIT, 'Exit', `guest code called exit(${code})`) }, started, findings, out);
  }
  if (notice === 'memory-limit') {
    return result({ status: 'memory-limit', error: airlockError(ERROR_CODES.MEMORY_LIMIT, 'MemoryLimit', `the run passed its memory limit of ${policy.limits.memoryMb} MiB (array buffers and other native memory) and was stopped`) }, started, findings, out);
  }
  return result({ status: 'error', error: airlockError(ERROR_CODES.OUTPUT_LIMIT, 'OutputLimit', `the run wrote more than limits.maxOutputBytes (${policy.limits.maxOutputBytes} bytes); its output was cut`) }, started, findings, out);
}

/** Runs one prepared call on a sandbox: output capture, the gateway, the result. */
async function runOnSandbox(
  sandbox: Sandbox,
  gateway: ImportGateway,
  session: GatewaySession,
  policy: Policy,
  entry: RunEntry,
  entryLocation: string | null,
  keepRealm: boolean,
  started: number,
  findings: Finding[],
  inputJson: string | undefined,
  signal: AbortSignal | undefined,
): Promise<RunResult> {
  const out: Output = { stdout: '', stderr: '' };
  session.beginCall();
  const handlers: RunHandlers = {
    onOutput(stream, text) {
      if (stream === 1) out.stdout += text;
      else out.stderr += text;
    },
    onRequire(specifier, referrer) {
      return gateway.require(session, specifier, referrer);
    },
  };
  const outcome = await sandbox.run(
    { entry, config: runConfig(policy, entryLocation, inputJson), maxOutputBytes: policy.limits.maxOutputBytes, keepRealm, timeoutMs: policy.limits.timeoutMs },
    handlers,
    signal,
  );
  return finishCall(outcome, policy, started, [...findings, ...session.findings], out);
}

function codeSpec(source: string, filename: string | undefined, expression: boolean): CallSpec {
  return { kind: 'code', source, filename: filename ?? (expression ? 'eval.js' : 'exec.js'), expression, location: null, referrer: null };
}

/**
 * RExec: one persistent realm behind gate 1. Calls run one at a time, in order; successive calls
 * share the realm's state. A call that passes a limit loses the realm (its worker is replaced) and
 * the next call starts from a fresh one.
 */
export class Executor {
  readonly policy: Policy;
  readonly hooks: ModuleHooks;
  readonly isolation: Isolation;
  readonly #gateway: ImportGateway;
  readonly #sandbox: Sandbox;
  #session = new GatewaySession();
  #generation = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: ExecutorOptions = {}) {
    const settings = settingsOf(options);
    this.policy = settings.policy;
    this.hooks = settings.hooks;
    this.isolation = settings.isolation;
    this.#gateway = new ImportGateway({ policy: settings.policy, hooks: settings.hooks, logger: settings.logger });
    this.#sandbox = new Sandbox({ isolation: settings.isolation, memoryMb: settings.policy.limits.memoryMb, warmRealms: 1 });
  }

  /** r_eval: evaluates an expression; the value is its result. */
  eval(expression: string, options: CallOptions = {}): Promise<RunResult> {
    return this.#call(codeSpec(expression, options.filename, true), inputJsonOf(options.input), options.signal);
  }

  /** r_exec: runs statements (script or module, JS or TS); the value is the completion value. */
  exec(code: string, options: CallOptions = {}): Promise<RunResult> {
    return this.#call(codeSpec(code, options.filename, false), inputJsonOf(options.input), options.signal);
  }

  /** r_execfile: runs a file read through the hooks; its requires resolve next to it. */
  execFile(path: string, options: Pick<CallOptions, 'signal'> = {}): Promise<RunResult> {
    return this.#enqueue(async () => {
      const started = performance.now();
      const empty: Output = { stdout: '', stderr: '' };
      if (options.signal?.aborted) return abortedResult(started, [], empty);
      let location: string | null;
      let loaded: { source: string; filename: string } | null;
      try {
        location = await this.hooks.resolve(path, null);
        loaded = location === null ? null : await this.hooks.load(location);
      } catch (error) {
        const e = error as { code?: unknown; message?: unknown };
        const code = typeof e?.code === 'string' && KNOWN_CODES.has(e.code) ? (e.code as ErrorCode) : ERROR_CODES.HOOK_ERROR;
        return result({ status: 'error', error: airlockError(code, 'HookError', String(e?.message ?? error)) }, started, [], empty);
      }
      if (location === null || loaded === null || typeof loaded?.source !== 'string') {
        return result({ status: 'error', error: airlockError(ERROR_CODES.MODULE_NOT_FOUND, 'ModuleNotFound', `${this.hooks.name} has no file '${path}'`) }, started, [], empty);
      }
      const filename = typeof loaded.filename === 'string' ? loaded.filename : location;
      return this.#run({ kind: 'code', source: loaded.source, filename, expression: false, location, referrer: location }, started, undefined, options.signal);
    });
  }

  /** r_import: requires a module through the gateway; the value is its exports. */
  import(specifier: string, options: Pick<CallOptions, 'signal'> = {}): Promise<RunResult> {
    if (typeof specifier !== 'string') return Promise.reject(new ExecutorError(ERROR_CODES.BAD_REQUEST, 'the specifier must be a string'));
    return this.#call({ kind: 'import', specifier }, undefined, options.signal);
  }

  /** Starts a fresh realm; what earlier calls defined is gone. */
  reset(): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#closed) return;
      await this.#sandbox.reset();
      this.#session = new GatewaySession();
      this.#generation = this.#sandbox.generation;
    });
  }

  /** Frees the worker. Later calls end with AIRLOCK_CLOSED. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#sandbox.close();
  }

  #call(spec: CallSpec, inputJson?: string, signal?: AbortSignal): Promise<RunResult> {
    const started = performance.now();
    return this.#enqueue(() => this.#run(spec, started, inputJson, signal));
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(task, task);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #run(spec: CallSpec, started: number, inputJson: string | undefined, signal: AbortSignal | undefined): Promise<RunResult> {
    const empty: Output = { stdout: '', stderr: '' };
    if (this.#closed) return result({ status: 'error', error: airlockError(ERROR_CODES.CLOSED, 'Closed', 'the executor was closed') }, started, [], empty);
    if (signal?.aborted) return abortedResult(started, [], empty);
    const prepared = prepareCall(this.policy, spec, started);
    if ('result' in prepared) return prepared.result;
    await this.#sandbox.whenReady();
    if (this.#closed) return result({ status: 'error', error: airlockError(ERROR_CODES.CLOSED, 'Closed', 'the executor was closed') }, started, prepared.findings, empty);
    if (this.#sandbox.generation !== this.#generation) {
      // The realm was replaced (a limit, a crash): the gateway forgets what the old one had loaded.
      this.#session = new GatewaySession();
      this.#generation = this.#sandbox.generation;
    }
    const entryLocation = registerEntry(this.#session, this.hooks, spec, prepared.entry);
    return runOnSandbox(this.#sandbox, this.#gateway, this.#session, this.policy, prepared.entry, entryLocation, true, started, prepared.findings, inputJson, signal);
  }
}

/** Makes the entry a known referrer for the gateway; returns the location its `require` resolves from. */
function registerEntry(session: GatewaySession, hooks: ModuleHooks, spec: CallSpec, entry: RunEntry): string | null {
  if (spec.kind !== 'code') return null;
  const location = entry.kind === 'module' ? entry.location : (spec.location ?? spec.filename);
  session.records.set(location, { location, hooks, grant: null, trusted: false, referrer: spec.referrer });
  return location;
}

// ---- one-shot runs ---------------------------------------------------------------------------------

/** Heap sizes are pooled in powers of two (a run's own limit is enforced at least as tightly). */
function heapBucket(memoryMb: number): number {
  let bucket = 16;
  while (bucket < memoryMb) bucket *= 2;
  return bucket;
}

interface Waiter {
  resolve(sandbox: Sandbox | null): void;
}

/** Warm workers of one heap size. */
class SandboxPool {
  readonly #sandboxes: Sandbox[] = [];
  readonly #waiters: Waiter[] = [];
  readonly #maxQueue: number;
  #closed = false;

  constructor(isolation: Isolation, memoryMb: number, size: number, warmRealms: number, maxQueue: number) {
    this.#maxQueue = maxQueue;
    for (let i = 0; i < size; i++) {
      const sandbox = new Sandbox({ isolation, memoryMb, warmRealms });
      this.#sandboxes.push(sandbox);
      this.#watch(sandbox);
    }
  }

  /** Hands each sandbox that becomes ready to the longest waiting run. */
  #watch(sandbox: Sandbox): void {
    if (this.#closed) return;
    void sandbox.whenReady().then(() => {
      if (this.#closed) return;
      if (sandbox.ready && !this.#claimed.has(sandbox) && this.#waiters.length > 0) {
        const waiter = this.#waiters.shift()!;
        this.#claimed.add(sandbox);
        waiter.resolve(sandbox);
        return;
      }
      if (!sandbox.ready && !this.#claimed.has(sandbox)) this.#watch(sandbox);
    });
  }

  readonly #claimed = new Set<Sandbox>();

  /** A ready sandbox, or null when the queue is full, the pool closed or the signal fired. */
  acquire(signal?: AbortSignal): Promise<Sandbox | null> {
    if (this.#closed || signal?.aborted) return Promise.resolve(null);
    for (const sandbox of this.#sandboxes) {
      if (sandbox.ready && !this.#claimed.has(sandbox)) {
        this.#claimed.add(sandbox);
        return Promise.resolve(sandbox);
      }
    }
    if (this.#waiters.length >= this.#maxQueue) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter: Waiter = { resolve };
      this.#waiters.push(waiter);
      if (signal === undefined) return;
      const onAbort = (): void => {
        const at = this.#waiters.indexOf(waiter);
        if (at === -1) return;
        this.#waiters.splice(at, 1);
        resolve(null);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      waiter.resolve = (sandbox) => {
        signal.removeEventListener('abort', onAbort);
        resolve(sandbox);
      };
    });
  }

  release(sandbox: Sandbox): void {
    this.#claimed.delete(sandbox);
    this.#watch(sandbox);
  }

  /** Resolves when every sandbox has reported ready once. */
  async warm(): Promise<void> {
    await Promise.all(this.#sandboxes.map((s) => s.whenReady()));
  }

  get queued(): number {
    return this.#waiters.length;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const w of this.#waiters.splice(0)) w.resolve(null);
    await Promise.all(this.#sandboxes.map((s) => s.close()));
  }

  get restarts(): number {
    return this.#sandboxes.reduce((n, s) => n + s.restarts, 0);
  }
}

/**
 * One-shot runs for services: every run gets a fresh realm (nothing leaks between runs or tenants),
 * taken from workers that build realms ahead of demand, so creating one is not on the request path.
 */
export class Runner {
  readonly #settings: Settings;
  readonly #gateway: ImportGateway;
  readonly #pools = new Map<string, SandboxPool>();
  readonly #size: number;
  readonly #maxQueue: number;
  readonly #warmRealms: number;
  readonly #analyzer: ExternalAnalyzer | null;
  #closed = false;

  constructor(options: RunnerOptions = {}) {
    this.#analyzer = options.analyzer ?? null;
    this.#settings = settingsOf(options);
    this.#gateway = new ImportGateway({ policy: this.#settings.policy, hooks: this.#settings.hooks, logger: this.#settings.logger });
    this.#size = Math.max(1, Math.floor(options.size ?? availableParallelism()));
    this.#maxQueue = Math.max(0, Math.floor(options.maxQueue ?? 1000));
    this.#warmRealms = Math.max(1, Math.min(4, Math.floor(options.warmRealms ?? 1)));
    this.#pool(this.#settings.isolation, this.#settings.policy.limits.memoryMb);
  }

  get policy(): Policy {
    return this.#settings.policy;
  }

  #pool(isolation: Isolation, memoryMb: number): SandboxPool {
    const bucket = heapBucket(memoryMb);
    const key = `${isolation}:${bucket}`;
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      pool = new SandboxPool(isolation, bucket, this.#size, this.#warmRealms, this.#maxQueue);
      this.#pools.set(key, pool);
    }
    return pool;
  }

  /** Waits until every worker of the default pool has a realm ready (cold start done). */
  warm(): Promise<void> {
    return this.#pool(this.#settings.isolation, this.#settings.policy.limits.memoryMb).warm();
  }

  /** Runs source in a fresh realm. Per-run options (policy, limits, hooks, filename) override the runner's. */
  async run(source: string, options: RunOptions = {}): Promise<RunResult> {
    const started = performance.now();
    const empty: Output = { stdout: '', stderr: '' };
    const perRun = options.policy !== undefined || options.limits !== undefined || options.hooks !== undefined || options.verbose !== undefined;
    const settings = perRun ? settingsOf(options, this.#settings) : this.#settings;
    const gateway = perRun ? new ImportGateway({ policy: settings.policy, hooks: settings.hooks, logger: settings.logger }) : this.#gateway;
    if (this.#closed) return result({ status: 'error', error: airlockError(ERROR_CODES.CLOSED, 'Closed', 'the runner was closed') }, started, [], empty);
    if (options.signal?.aborted) return abortedResult(started, [], empty);
    const inputJson = inputJsonOf(options.input);
    const filename = options.filename ?? 'run.js';
    const spec = codeSpec(source, filename, false);
    let report: Pick<AnalysisReport, 'verdict' | 'findings'> | undefined;
    if (this.#analyzer !== null && settings.policy.analysis !== 'off' && typeof source === 'string' && Buffer.byteLength(source, 'utf8') <= settings.policy.limits.maxSourceBytes) {
      report = await this.#analyzer(source, { filename, policy: settings.policy });
      if (options.signal?.aborted) return abortedResult(started, report.findings, empty);
    }
    const prepared = prepareCall(settings.policy, spec, started, report);
    if ('result' in prepared) return prepared.result;
    const pool = this.#pool(options.isolation !== undefined ? checkIsolation(options.isolation) : settings.isolation, settings.policy.limits.memoryMb);
    const sandbox = await pool.acquire(options.signal);
    if (sandbox === null) {
      if (options.signal?.aborted) return abortedResult(started, prepared.findings, empty);
      const closed = this.#closed;
      return result(
        {
          status: 'error',
          error: closed
            ? airlockError(ERROR_CODES.CLOSED, 'Closed', 'the runner was closed')
            : airlockError(ERROR_CODES.QUEUE_FULL, 'QueueFull', `more than ${this.#maxQueue} runs are waiting for a worker; retry later`),
        },
        started,
        prepared.findings,
        empty,
      );
    }
    try {
      const session = new GatewaySession();
      const entryLocation = registerEntry(session, settings.hooks, spec, prepared.entry);
      return await runOnSandbox(sandbox, gateway, session, settings.policy, prepared.entry, entryLocation, false, started, prepared.findings, inputJson, options.signal);
    } finally {
      pool.release(sandbox);
    }
  }

  /** Workers replaced so far (limits, crashes), and runs waiting. */
  stats(): { restarts: number; queued: number } {
    let restarts = 0;
    let queued = 0;
    for (const pool of this.#pools.values()) {
      restarts += pool.restarts;
      queued += pool.queued;
    }
    return { restarts, queued };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#pools.values()].map((p) => p.close()));
  }
}

const defaultRunners = new Map<Isolation, Runner>();

/**
 * Runs source once in a fresh realm from a shared pool of warm workers (created on first use; its
 * workers do not keep the process alive). For control over the pool, use `Runner`.
 */
export function run(source: string, options: RunOptions = {}): Promise<RunResult> {
  const isolation = options.isolation ?? DEFAULT_ISOLATION;
  let runner = defaultRunners.get(isolation);
  if (runner === undefined) {
    runner = new Runner({ isolation });
    defaultRunners.set(isolation, runner);
  }
  return runner.run(source, options);
}

/** Closes the shared pools behind `run()` (tests, graceful shutdown). */
export async function closeSharedRunners(): Promise<void> {
  const runners = [...defaultRunners.values()];
  defaultRunners.clear();
  await Promise.all(runners.map((r) => r.close()));
}
