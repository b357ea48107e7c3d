// One sandbox worker thread and its two channels: the message port (runs, output, results, require
// requests) and the synchronous reply path (a MessageChannel port the worker reads with
// receiveMessageOnPort, plus an Int32 flag it waits on with Atomics.wait). Used by the host for
// `isolation: 'worker'` and by the process-isolation child (child.ts) for `isolation: 'process'`.
// Imports only Node built-ins, so the child under the permission model reads as little as possible.
import { MessageChannel, Worker } from 'node:worker_threads';
import type { MessagePort, WorkerOptions } from 'node:worker_threads';
import type { FromWorker, RequireAnswer, ToWorker, WorkerData } from './protocol.js';

/** Why a worker went away. */
export type WorkerExitReason = 'memory-limit' | 'crash' | 'terminated';

export interface TransportEvents {
  message(message: FromWorker): void;
  exit(reason: WorkerExitReason, detail: string): void;
}

export interface ThreadTransportOptions {
  memoryMb: number;
  warmRealms: number;
  /** The compiled worker module. */
  workerUrl: URL;
}

/**
 * How long what a finished run left behind may keep its worker busy: microtasks queued while its
 * value was encoded (a getter of the result) run after the result has gone, outside the watchdog.
 * They get the run's own time limit, within these bounds; past it the worker is replaced.
 */
const LEFTOVER_MIN_MS = 100;
const LEFTOVER_MAX_MS = 3000;

/** Heap the worker needs for airlock's own code (membrane, prelude) on top of the guest's share. */
export const WORKER_BASE_HEAP_MB = 16;

/** The walls a sandbox worker starts with (exported so tests can check them on a probe worker). */
export function sandboxWorkerOptions(memoryMb: number): Pick<WorkerOptions, 'env' | 'argv' | 'execArgv' | 'resourceLimits'> {
  return {
    // No secrets in the worker: an empty environment of its own, no argv.
    env: {},
    argv: [],
    // A script-level import() callback needs this flag; the callback refuses with a realm error.
    execArgv: ['--experimental-vm-modules', '--no-warnings'],
    resourceLimits: {
      maxOldGenerationSizeMb: memoryMb + WORKER_BASE_HEAP_MB,
      maxYoungGenerationSizeMb: Math.max(2, Math.min(16, Math.floor(memoryMb / 8))),
      stackSizeMb: 4,
    },
  };
}

/** A worker thread running executor/worker.js. */
export class ThreadTransport {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #flag: Int32Array;
  #gone = false;
  #terminating = false;
  /** The time limit of the run in progress, and the timer bounding what it leaves behind. */
  #runTimeoutMs = 0;
  #leftoverTimer: NodeJS.Timeout | null = null;

  constructor(options: ThreadTransportOptions, events: TransportEvents) {
    const { port1, port2 } = new MessageChannel();
    const syncBuffer = new SharedArrayBuffer(4);
    this.#flag = new Int32Array(syncBuffer);
    this.#port = port1;
    const workerData: WorkerData = { syncBuffer, syncPort: port2, warmRealms: options.warmRealms };
    this.#worker = new Worker(options.workerUrl, {
      workerData,
      transferList: [port2],
      ...sandboxWorkerOptions(options.memoryMb),
      stdout: true,
      stderr: true,
      stdin: false,
    });
    // Nothing the worker prints is shown (guest output goes through the realm's console only).
    this.#worker.stdout.resume();
    this.#worker.stderr.resume();
    this.#worker.unref();
    this.#port.unref();
    this.#worker.on('message', (message: FromWorker) => {
      if (this.#gone) return;
      if (message.type === 'drained') {
        this.#clearLeftoverTimer();
        return;
      }
      if (message.type === 'result') this.#watchLeftovers();
      events.message(message);
    });
    let reason: WorkerExitReason = 'crash';
    let detail = '';
    this.#worker.on('error', (error: Error & { code?: string }) => {
      if (error?.code === 'ERR_WORKER_OUT_OF_MEMORY') reason = 'memory-limit';
      detail = error?.message ?? String(error);
    });
    this.#worker.on('exit', (code) => {
      if (this.#gone) return;
      this.#gone = true;
      this.#clearLeftoverTimer();
      this.#port.close();
      if (this.#terminating) reason = 'terminated';
      events.exit(reason, detail || `worker exited with code ${code}`);
    });
  }

  post(message: ToWorker): void {
    if (this.#gone) return;
    if (message.type === 'run') this.#runTimeoutMs = message.timeoutMs;
    this.#worker.postMessage(message);
  }

  /** After a result: the worker must drain what the run left within the run's time limit. */
  #watchLeftovers(): void {
    this.#clearLeftoverTimer();
    const ms = Math.min(LEFTOVER_MAX_MS, Math.max(LEFTOVER_MIN_MS, this.#runTimeoutMs));
    this.#leftoverTimer = setTimeout(() => {
      this.#leftoverTimer = null;
      void this.terminate();
    }, ms);
    this.#leftoverTimer.unref();
  }

  #clearLeftoverTimer(): void {
    if (this.#leftoverTimer !== null) {
      clearTimeout(this.#leftoverTimer);
      this.#leftoverTimer = null;
    }
  }

  /** Answers a `require` the worker is blocked on. */
  answer(answer: RequireAnswer): void {
    if (this.#gone) return;
    this.#port.postMessage(answer);
    Atomics.store(this.#flag, 0, 1);
    Atomics.notify(this.#flag, 0);
  }

  /** Stops the worker at once (a run past its time limit, or shutdown). */
  terminate(): Promise<void> {
    if (this.#gone) return Promise.resolve();
    this.#terminating = true;
    this.#worker.ref();
    return this.#worker.terminate().then(
      () => undefined,
      () => undefined,
    );
  }

  /** Keeps the host process alive while a run or a wait for readiness is pending. */
  ref(): void {
    if (!this.#gone) this.#worker.ref();
  }

  unref(): void {
    if (!this.#gone) this.#worker.unref();
  }

  get alive(): boolean {
    return !this.#gone;
  }
}
