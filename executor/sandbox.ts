// A sandbox as the host sees it: one worker (a thread, or a thread inside a permission-restricted
// child process) with a realm kept warm, and the wall-clock watchdog that lives outside the guest's
// thread. A run past its time limit, a worker that runs out of heap, or one that does not come back
// after a run is replaced; the host lives on and the next run gets a fresh worker.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ThreadTransport } from './thread-transport.js';
import type { WorkerExitReason } from './thread-transport.js';
import type { FromChild, ToChild } from './child.js';
import type { FromWorker, GuestErrorData, RequireAnswer, RunMessage, ToWorker } from './protocol.js';

export type Isolation = 'worker' | 'process';

export interface SandboxOptions {
  isolation: Isolation;
  /** The guest's heap share, in MiB (the worker gets airlock's own share on top). */
  memoryMb: number;
  /** Realms a worker keeps built ahead of demand while idle. */
  warmRealms: number;
}

export type RunRequest = Omit<RunMessage, 'type' | 'id'>;
export type RequireReply = { ok: true; location: string; module?: Extract<RequireAnswer, { ok: true }>['module'] } | { ok: false; code: string; name: string; message: string };

export interface RunHandlers {
  onOutput(stream: 1 | 2, text: string): void;
  onRequire(specifier: string, referrer: string | null): Promise<RequireReply>;
}

export type NoticeKind = 'output-limit' | 'memory-limit' | 'exit';

export type SandboxOutcome =
  | {
      kind: 'result';
      outcome: 'ok' | 'error' | 'exit';
      value?: string;
      description?: string;
      error?: GuestErrorData;
      exitCode?: number;
      /** A limit or exit() noticed before the result came. */
      notice?: NoticeKind;
      noticeExitCode?: number;
    }
  /** Past the time limit, or (`hooks`) the hooks took more than the host's allowance serving requires. */
  | { kind: 'timeout'; hooks?: true }
  | { kind: 'memory-limit' }
  /** Ended by the host after a notice (limit or exit()) and a short grace. */
  | { kind: 'noticed'; notice: NoticeKind; exitCode?: number }
  | { kind: 'crash'; detail: string }
  /** The caller's AbortSignal fired during the run; the worker was replaced. */
  | { kind: 'aborted' }
  | { kind: 'closed' };

/** After a notice, how long the run may take to finish on its own before the worker is replaced. */
const NOTICE_GRACE_MS = 50;
/** After a result, how long the worker may take to report ready (leftover guest work) before it is replaced. */
const READY_TIMEOUT_MS = 3000;

/**
 * Host time one run's requires may take in all (resolving, loading, gate 1, transforms): the guest's
 * clock is paused meanwhile, so without an allowance of its own a hook that never answers (or a slow
 * origin served many times) would keep the run, and its worker, forever. It is below the worker's own
 * wait for an answer (worker.ts), so the host always decides first.
 */
export function hostAllowanceMs(timeoutMs: number): number {
  return Math.max(5000, 10 * timeoutMs);
}

/** setTimeout's largest delay; beyond it Node fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const WORKER_URL = new URL('./worker.js', import.meta.url);
const CHILD_PATH = fileURLToPath(new URL('./child.js', import.meta.url));

interface Transport {
  post(message: ToWorker): void;
  answer(answer: RequireAnswer): void;
  terminate(): Promise<void>;
  /** Replaces the worker (a process transport keeps its child). */
  restartWorker?(): void;
  ref(): void;
  unref(): void;
  readonly alive: boolean;
}

/** The files the process-isolation child may read: airlock's executor code and the membrane package. */
export function processReadPaths(): string[] {
  const executorDir = dirname(fileURLToPath(import.meta.url));
  const packageRoot = join(executorDir, '..', '..');
  const require = createRequire(import.meta.url);
  const membrane = dirname(dirname(require.resolve('@locker/near-membrane-node/package.json')));
  return [join(executorDir, '*'), join(packageRoot, 'package.json'), join(membrane, '*')];
}

/**
 * Node flags of the process-isolation child: the permission model with reads of airlock's executor
 * code and the membrane package only, no writes, no child processes, no addons; workers allowed.
 */
export function processExecArgv(): string[] {
  return ['--experimental-permission', `--allow-fs-read=${processReadPaths().join(',')}`, '--allow-worker', '--no-warnings'];
}

/** A worker thread inside a child process under Node's permission model. */
class ProcessTransport implements Transport {
  readonly #child: ChildProcess;
  #gone = false;
  /** Which of the child's workers is current (messages of replaced ones are dropped). */
  #epoch = 0;

  constructor(options: SandboxOptions, onMessage: (m: FromWorker) => void, onExit: (reason: WorkerExitReason, detail: string, childGone: boolean) => void) {
    this.#child = fork(CHILD_PATH, [], {
      execArgv: processExecArgv(),
      env: {},
      // Every message is plain data; JSON crosses the pipe faster than the v8 serializer here.
      serialization: 'json',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 16000) stderr += chunk.toString('utf8');
    });
    this.#child.unref();
    (this.#child.channel as { unref?: () => void } | undefined)?.unref?.();
    this.#child.on('message', (message: FromChild) => {
      if (this.#gone || message.epoch !== this.#epoch) return;
      if (message.type === 'worker') onMessage(message.message);
      else onExit(message.reason, message.detail, false);
    });
    // 'close' (not 'exit'): stderr has been read to the end by then.
    this.#child.on('close', (code, signal) => {
      if (this.#gone) return;
      this.#gone = true;
      // V8 aborts the whole process when a single allocation cannot fit even after the worker's
      // out-of-memory allowance (a Map or array growing near the limit): that is the memory limit.
      const oom = /heap out of memory|Allocation failed|ERR_WORKER_OUT_OF_MEMORY/.test(stderr);
      onExit(oom ? 'memory-limit' : 'crash', oom ? 'out of memory' : `sandbox process exited (${signal ?? code})${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`, true);
    });
    this.#child.on('error', () => {
      // 'exit' follows
    });
    this.#send({ type: 'init', memoryMb: options.memoryMb, warmRealms: options.warmRealms });
  }

  #send(message: ToChild): void {
    if (this.#gone || !this.#child.connected) return;
    try {
      this.#child.send(message);
    } catch {
      // the exit handler reports it
    }
  }

  post(message: ToWorker): void {
    this.#send({ type: 'post', message });
  }

  answer(answer: RequireAnswer): void {
    this.#send({ type: 'answer', answer });
  }

  restartWorker(): void {
    this.#epoch++;
    this.#send({ type: 'restart', epoch: this.#epoch });
  }

  ref(): void {
    if (this.#gone) return;
    this.#child.ref();
    (this.#child.channel as { ref?: () => void } | undefined)?.ref?.();
  }

  unref(): void {
    if (this.#gone) return;
    this.#child.unref();
    (this.#child.channel as { unref?: () => void } | undefined)?.unref?.();
  }

  terminate(): Promise<void> {
    if (this.#gone) return Promise.resolve();
    this.#gone = true;
    return new Promise((resolve) => {
      // Referenced until it is gone, so a caller awaiting close() is not left hanging at exit.
      this.#child.ref();
      this.#child.once('close', () => resolve());
      this.#child.kill('SIGKILL');
    });
  }

  get alive(): boolean {
    return !this.#gone;
  }
}

interface PendingRun {
  id: number;
  handlers: RunHandlers;
  resolve(outcome: SandboxOutcome): void;
  /** The wall-clock watchdog; paused (null) while the host works on a require for the run. */
  watchdog: NodeJS.Timeout | null;
  /** Guest time left when the watchdog was last (re)started, and when that was. */
  remainingMs: number;
  watchStarted: number;
  /** Host time left for serving this run's requires, and the timer that ends the run when it is spent. */
  hostLeftMs: number;
  hostTimer: NodeJS.Timeout | null;
  grace: NodeJS.Timeout | null;
  notice: NoticeKind | null;
  noticeExitCode?: number;
  /** Removes the AbortSignal listener. */
  unlisten: (() => void) | null;
}

let nextRunId = 1;

/** One sandbox worker and its watchdog. */
export class Sandbox {
  readonly options: SandboxOptions;
  #transport: Transport | null = null;
  #ready = false;
  #readyWaiters: (() => void)[] = [];
  #run: PendingRun | null = null;
  #readyTimer: NodeJS.Timeout | null = null;
  #closed = false;
  /** Increments whenever the realm kept between calls is lost (worker replaced, reset). */
  generation = 0;
  /** Replacements so far (timeouts, memory limits, crashes). */
  restarts = 0;

  constructor(options: SandboxOptions) {
    this.options = options;
    this.#spawn();
  }

  get ready(): boolean {
    return this.#ready && this.#run === null && !this.#closed;
  }

  get busy(): boolean {
    return this.#run !== null;
  }

  /** Resolves when the worker has a realm ready for a run. */
  whenReady(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#ready && this.#run === null) return Promise.resolve();
    return new Promise((resolve) => {
      this.#readyWaiters.push(resolve);
      this.#updateRef();
    });
  }

  /** The worker keeps the host alive only while someone waits for it. */
  #updateRef(): void {
    const t = this.#transport;
    if (t === null) return;
    if (this.#run !== null || this.#readyWaiters.length > 0) t.ref();
    else t.unref();
  }

  #wakeWaiters(): void {
    if (!this.#ready || this.#run !== null) return;
    const waiters = this.#readyWaiters;
    this.#readyWaiters = [];
    for (const w of waiters) w();
    this.#updateRef();
  }

  #spawn(): void {
    this.#ready = false;
    const onMessage = (message: FromWorker): void => {
      if (this.#transport !== transport) return;
      this.#onMessage(message);
    };
    const onExit = (reason: WorkerExitReason, detail: string): void => {
      if (this.#transport !== transport) return;
      this.#onWorkerExit(reason, detail);
    };
    let transport: Transport;
    if (this.options.isolation === 'process') {
      transport = new ProcessTransport(this.options, onMessage, (reason, detail) => {
        if (this.#transport !== transport) return;
        this.#onWorkerExit(reason, detail);
      });
    } else {
      transport = new ThreadTransport({ memoryMb: this.options.memoryMb, warmRealms: this.options.warmRealms, workerUrl: WORKER_URL }, { message: onMessage, exit: onExit });
    }
    this.#transport = transport;
    this.#updateRef();
  }

  /** Replaces the worker (its realms are lost). */
  #replace(): void {
    this.generation++;
    this.restarts++;
    this.#ready = false;
    this.#clearReadyTimer();
    if (this.#closed) return;
    const old = this.#transport;
    if (old !== null && old.alive && old.restartWorker !== undefined) {
      old.restartWorker();
      this.#expectReady();
      return;
    }
    this.#transport = null;
    void old?.terminate();
    this.#spawn();
  }

  /**
   * After asking a process transport's child for a new worker: a worker stuck in a long builtin may
   * not stop when terminated; if no fresh worker reports ready in time, the whole child goes.
   */
  #expectReady(): void {
    this.#clearReadyTimer();
    this.#readyTimer = setTimeout(() => {
      this.#readyTimer = null;
      if (this.#ready || this.#closed) return;
      const stuck = this.#transport;
      this.#transport = null;
      void stuck?.terminate();
      this.restarts++;
      this.#spawn();
    }, READY_TIMEOUT_MS);
    this.#readyTimer.unref();
  }

  #onWorkerExit(reason: WorkerExitReason, detail: string): void {
    const run = this.#run;
    if (run !== null) {
      if (reason === 'memory-limit') this.#finish(run, { kind: 'memory-limit' });
      else this.#finish(run, { kind: 'crash', detail });
    }
    if (this.#closed) return;
    // The worker is gone: start another (a process transport's child starts a new worker thread).
    this.generation++;
    this.restarts++;
    this.#ready = false;
    const t = this.#transport;
    if (t !== null && t.alive && t.restartWorker !== undefined) {
      t.restartWorker();
      this.#expectReady();
      return;
    }
    this.#transport = null;
    this.#spawn();
  }

  #onMessage(message: FromWorker): void {
    const run = this.#run;
    switch (message.type) {
      case 'ready':
        this.#clearReadyTimer();
        this.#ready = true;
        this.#wakeWaiters();
        return;
      case 'fatal':
        if (run !== null) this.#finish(run, { kind: 'crash', detail: message.message });
        this.#replace();
        return;
      case 'out':
        if (run !== null && message.id === run.id) run.handlers.onOutput(message.stream, message.text);
        return;
      case 'notice':
        if (run === null || message.id !== run.id || run.notice !== null) return;
        run.notice = message.kind;
        if (message.exitCode !== undefined) run.noticeExitCode = message.exitCode;
        run.grace = setTimeout(() => {
          if (this.#run !== run) return;
          this.#finish(run, { kind: 'noticed', notice: message.kind, ...(run.noticeExitCode !== undefined ? { exitCode: run.noticeExitCode } : {}) });
          this.#replace();
        }, NOTICE_GRACE_MS);
        return;
      case 'require': {
        if (run === null || message.id !== run.id) return;
        const req = message.req;
        const transport = this.#transport;
        // The worker is blocked while the host resolves, loads, analyses and transforms: that is
        // host time, not the guest's, so the watchdog pauses (maxModules bounds how often).
        this.#pauseWatchdog(run);
        const answer = (reply: RequireAnswer): void => {
          if (this.#run !== run || this.#transport !== transport) return;
          transport?.answer(reply);
          this.#startWatchdog(run);
        };
        run.handlers.onRequire(message.specifier, message.referrer).then(
          (reply) => answer({ req, ...reply } as RequireAnswer),
          (error: unknown) =>
            answer({ req, ok: false, code: 'AIRLOCK_HOOK_ERROR', name: 'Error', message: `import gateway failure: ${(error as Error)?.message ?? String(error)}` }),
        );
        return;
      }
      case 'result': {
        if (run === null || message.id !== run.id) return;
        this.#finish(run, {
          kind: 'result',
          outcome: message.outcome,
          ...(message.value !== undefined ? { value: message.value } : {}),
          ...(message.description !== undefined ? { description: message.description } : {}),
          ...(message.error !== undefined ? { error: message.error } : {}),
          ...(message.exitCode !== undefined ? { exitCode: message.exitCode } : {}),
          ...(run.notice !== null ? { notice: run.notice } : {}),
          ...(run.noticeExitCode !== undefined ? { noticeExitCode: run.noticeExitCode } : {}),
        });
        // The worker reports ready once leftover guest work has drained; if it never does, replace it.
        this.#readyTimer = setTimeout(() => {
          this.#readyTimer = null;
          if (!this.#ready && this.#run === null) this.#replace();
        }, READY_TIMEOUT_MS);
        this.#readyTimer.unref();
        return;
      }
    }
  }

  #startWatchdog(run: PendingRun): void {
    if (run.watchdog !== null) clearTimeout(run.watchdog);
    if (run.hostTimer !== null) {
      // Back from serving a require: what the host spent comes off its allowance.
      clearTimeout(run.hostTimer);
      run.hostTimer = null;
      run.hostLeftMs -= performance.now() - run.watchStarted;
    }
    run.watchStarted = performance.now();
    run.watchdog = setTimeout(() => {
      if (this.#run !== run) return;
      this.#finish(run, { kind: 'timeout' });
      this.#replace();
    }, Math.min(MAX_TIMER_MS, Math.max(0, run.remainingMs)));
  }

  #pauseWatchdog(run: PendingRun): void {
    if (run.watchdog === null) return;
    clearTimeout(run.watchdog);
    run.watchdog = null;
    const now = performance.now();
    run.remainingMs -= now - run.watchStarted;
    run.watchStarted = now;
    run.hostTimer = setTimeout(() => {
      if (this.#run !== run) return;
      this.#finish(run, { kind: 'timeout', hooks: true });
      this.#replace();
    }, Math.min(MAX_TIMER_MS, Math.max(0, run.hostLeftMs)));
  }

  #clearReadyTimer(): void {
    if (this.#readyTimer !== null) {
      clearTimeout(this.#readyTimer);
      this.#readyTimer = null;
    }
  }

  #finish(run: PendingRun, outcome: SandboxOutcome): void {
    if (this.#run !== run) return;
    this.#run = null;
    if (run.watchdog !== null) clearTimeout(run.watchdog);
    if (run.grace !== null) clearTimeout(run.grace);
    if (run.hostTimer !== null) clearTimeout(run.hostTimer);
    run.unlisten?.();
    run.resolve(outcome);
    this.#wakeWaiters();
    this.#updateRef();
  }

  /**
   * Runs one request. The caller waits for `whenReady()` first (a busy sandbox refuses). The
   * watchdog starts now and covers everything: compilation, synchronous loops, promise chains,
   * timers, module loading.
   */
  run(request: RunRequest, handlers: RunHandlers, signal?: AbortSignal): Promise<SandboxOutcome> {
    if (this.#closed) return Promise.resolve({ kind: 'closed' });
    if (signal?.aborted) return Promise.resolve({ kind: 'aborted' });
    if (this.#run !== null || !this.#ready || this.#transport === null) {
      return Promise.reject(new Error('airlock: sandbox is not ready'));
    }
    const id = nextRunId++;
    this.#ready = false;
    return new Promise<SandboxOutcome>((resolve) => {
      const run: PendingRun = {
        id,
        handlers,
        resolve,
        grace: null,
        notice: null,
        watchdog: null,
        remainingMs: request.timeoutMs,
        watchStarted: 0,
        hostLeftMs: hostAllowanceMs(request.timeoutMs),
        hostTimer: null,
        unlisten: null,
      };
      this.#run = run;
      if (signal !== undefined) {
        // Aborting stops the guest where it is: the worker is replaced, as after a timeout.
        const onAbort = (): void => {
          if (this.#run !== run) return;
          this.#finish(run, { kind: 'aborted' });
          this.#replace();
        };
        signal.addEventListener('abort', onAbort, { once: true });
        run.unlisten = () => signal.removeEventListener('abort', onAbort);
      }
      this.#startWatchdog(run);
      this.#updateRef();
      this.#transport!.post({ type: 'run', id, ...request });
    });
  }

  /** Drops the kept realm; the next run gets a fresh one. */
  async reset(): Promise<void> {
    if (this.#closed) return;
    await this.whenReady();
    this.generation++;
    this.#ready = false;
    this.#transport?.post({ type: 'reset' });
    await this.whenReady();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#clearReadyTimer();
    const run = this.#run;
    if (run !== null) this.#finish(run, { kind: 'closed' });
    const waiters = this.#readyWaiters;
    this.#readyWaiters = [];
    for (const w of waiters) w();
    const t = this.#transport;
    this.#transport = null;
    await t?.terminate();
  }
}
