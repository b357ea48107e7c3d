// Admission control for runs: at most `concurrency` runs at once (the worker pool's size), at most
// `queue` waiting, each waiting at most `queueTimeoutMs`. Past that a run is refused at once (the
// route answers 503 with Retry-After) instead of piling up memory and latency. `close()` stops
// admitting and resolves when every admitted run (running or queued) has finished: the drain.

export type GateRefusal = 'full' | 'timeout' | 'closed' | 'aborted';

/** Thrown by acquire() when a run is not admitted. */
export class GateError extends Error {
  override name = 'GateError';
  readonly reason: GateRefusal;
  /** Suggested seconds before retrying. */
  readonly retryAfter: number;
  constructor(reason: GateRefusal, retryAfter: number, message: string) {
    super(message);
    this.reason = reason;
    this.retryAfter = retryAfter;
  }
}

interface Waiter {
  grant: (release: () => void) => void;
  refuse: (error: GateError) => void;
  timer: NodeJS.Timeout | null;
  onAbort: (() => void) | null;
  signal: AbortSignal | undefined;
}

export interface RunGateOptions {
  concurrency: number;
  queue: number;
  queueTimeoutMs: number;
}

export class RunGate {
  readonly concurrency: number;
  readonly queueLimit: number;
  readonly queueTimeoutMs: number;
  #active = 0;
  readonly #waiting: Waiter[] = [];
  #closed = false;
  #drainWaiters: (() => void)[] = [];
  /** Moving average of how long a slot is held, for Retry-After. */
  #averageMs = 100;

  constructor(options: RunGateOptions) {
    this.concurrency = Math.max(1, options.concurrency);
    this.queueLimit = Math.max(0, options.queue);
    this.queueTimeoutMs = options.queueTimeoutMs;
  }

  get active(): number {
    return this.#active;
  }
  get queued(): number {
    return this.#waiting.length;
  }
  get closed(): boolean {
    return this.#closed;
  }

  /** Seconds a refused client should wait: the time for the queue ahead of it to clear, at least 1. */
  retryAfter(): number {
    const ahead = this.#waiting.length + 1;
    return Math.max(1, Math.ceil(((ahead / this.concurrency) * this.#averageMs) / 1000));
  }

  /** Waits for a slot. Resolves with the function that gives it back (call it exactly once). */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.#closed) return Promise.reject(new GateError('closed', 5, 'the server is shutting down'));
    if (signal?.aborted) return Promise.reject(new GateError('aborted', 1, 'the client went away'));
    if (this.#active < this.concurrency && this.#waiting.length === 0) {
      this.#active++;
      return Promise.resolve(this.#releaser());
    }
    if (this.#waiting.length >= this.queueLimit) {
      return Promise.reject(new GateError('full', this.retryAfter(), `the run queue is full (${this.#active} running, ${this.#waiting.length} waiting)`));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { grant: resolve, refuse: reject, timer: null, onAbort: null, signal };
      waiter.timer = setTimeout(() => {
        this.#remove(waiter);
        reject(new GateError('timeout', this.retryAfter(), `no worker became free within ${this.queueTimeoutMs} ms`));
      }, this.queueTimeoutMs);
      waiter.timer.unref();
      if (signal !== undefined) {
        waiter.onAbort = () => {
          this.#remove(waiter);
          reject(new GateError('aborted', 1, 'the client went away'));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#waiting.push(waiter);
    });
  }

  /** Stops admitting new runs; resolves once every admitted run has released its slot. */
  close(): Promise<void> {
    this.#closed = true;
    return this.drained();
  }

  /** Resolves when nothing is running or waiting. */
  drained(): Promise<void> {
    if (this.#active === 0 && this.#waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #releaser(): () => void {
    const started = performance.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#averageMs = this.#averageMs * 0.8 + (performance.now() - started) * 0.2;
      const next = this.#waiting.shift();
      if (next !== undefined) {
        this.#settle(next);
        next.grant(this.#releaser());
        return;
      }
      this.#active--;
      if (this.#active === 0) {
        const waiters = this.#drainWaiters;
        this.#drainWaiters = [];
        for (const resolve of waiters) resolve();
      }
    };
  }

  #remove(waiter: Waiter): void {
    const index = this.#waiting.indexOf(waiter);
    if (index >= 0) this.#waiting.splice(index, 1);
    this.#settle(waiter);
    if (this.#active === 0 && this.#waiting.length === 0) {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  #settle(waiter: Waiter): void {
    if (waiter.timer !== null) clearTimeout(waiter.timer);
    if (waiter.onAbort !== null) waiter.signal?.removeEventListener('abort', waiter.onAbort);
  }
}
