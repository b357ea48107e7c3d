// Admission control for runs: at most `concurrency` runs at once (the worker pool's size), at most
// `queue` waiting (and at most `queuePerClient` of them from one client), each waiting at most
// `queueTimeoutMs`. Past that a run is refused at once (the route answers 503 with Retry-After)
// instead of piling up memory and latency.
//
// A freed slot goes to the waiting client that holds the fewest slots (oldest first among equals):
// fair share under contention, yet work-conserving when one client is alone. So a client submitting
// infinite loops, each holding a worker until its time limit kills it, cannot make other clients'
// short runs wait behind its whole queue; at worst they wait for one of its runs to end.
//
// `close()` stops admitting and resolves when every admitted run (running or queued) has finished:
// the drain.

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
  client: string;
  grant: (release: Release) => void;
  timer: NodeJS.Timeout | null;
  onAbort: (() => void) | null;
  signal: AbortSignal | undefined;
}

/** Gives a slot back, optionally once the worker it used is ready again. */
export type Release = (workerReady?: Promise<unknown>) => void;

export interface RunGateOptions {
  concurrency: number;
  /** Longest a slot stays held waiting for its worker to be ready again (default 30 s). */
  maxHoldMs?: number;
  queue: number;
  /** Most runs one client may have waiting (default: half the queue, at least 1). */
  queuePerClient?: number;
  queueTimeoutMs: number;
}

const ANONYMOUS = '';

export class RunGate {
  readonly concurrency: number;
  readonly queueLimit: number;
  readonly queuePerClient: number;
  readonly queueTimeoutMs: number;
  readonly maxHoldMs: number;
  #active = 0;
  /** Waiters in arrival order. */
  readonly #waiting: Waiter[] = [];
  /** Slots held and runs waiting, per client. */
  readonly #held = new Map<string, number>();
  readonly #queued = new Map<string, number>();
  #closed = false;
  #drainWaiters: (() => void)[] = [];
  /** Moving average of how long a slot is held, for Retry-After. */
  #averageMs = 100;

  constructor(options: RunGateOptions) {
    this.concurrency = Math.max(1, options.concurrency);
    this.queueLimit = Math.max(0, options.queue);
    this.queuePerClient = Math.max(1, options.queuePerClient ?? Math.ceil(this.queueLimit / 2));
    this.queueTimeoutMs = options.queueTimeoutMs;
    this.maxHoldMs = options.maxHoldMs ?? 30_000;
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

  /**
   * Waits for a slot. Resolves with the function that gives it back: call it once, with the promise
   * of the worker being ready again when there is one (the slot stays held, and charged to this
   * client, until it settles, at most `maxHoldMs`).
   */
  acquire(signal?: AbortSignal, client: string = ANONYMOUS): Promise<Release> {
    if (this.#closed) return Promise.reject(new GateError('closed', 5, 'the server is shutting down'));
    if (signal?.aborted) return Promise.reject(new GateError('aborted', 1, 'the client went away'));
    if (this.#active < this.concurrency && this.#waiting.length === 0) {
      this.#active++;
      return Promise.resolve(this.#releaser(client));
    }
    if (this.#waiting.length >= this.queueLimit) {
      return Promise.reject(new GateError('full', this.retryAfter(), `the run queue is full (${this.#active} running, ${this.#waiting.length} waiting)`));
    }
    if ((this.#queued.get(client) ?? 0) >= this.queuePerClient) {
      return Promise.reject(new GateError('full', this.retryAfter(), `this client already has ${this.queuePerClient} runs waiting`));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { client, grant: resolve, timer: null, onAbort: null, signal };
      waiter.timer = setTimeout(() => {
        this.#remove(waiter);
        reject(new GateError('timeout', this.retryAfter(), `no worker became free within ${this.queueTimeoutMs} ms`));
      }, this.queueTimeoutMs);
      if (signal !== undefined) {
        waiter.onAbort = () => {
          this.#remove(waiter);
          reject(new GateError('aborted', 1, 'the client went away'));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#waiting.push(waiter);
      bump(this.#queued, client, 1);
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

  #releaser(client: string): Release {
    bump(this.#held, client, 1);
    const started = performance.now();
    let released = false;
    const giveBack = () => {
      this.#averageMs = this.#averageMs * 0.8 + (performance.now() - started) * 0.2;
      const next = this.#next();
      if (next !== undefined) {
        this.#remove(next);
        next.grant(this.#releaser(next.client));
        return;
      }
      this.#active--;
      this.#maybeDrained();
    };
    return (workerReady?: Promise<unknown>) => {
      if (released) return;
      released = true;
      if (workerReady === undefined) {
        bump(this.#held, client, -1);
        giveBack();
        return;
      }
      let settled = false;
      const settle = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        bump(this.#held, client, -1);
        giveBack();
      };
      const timer = setTimeout(settle, this.maxHoldMs);
      workerReady.then(settle, settle);
    };
  }

  /** The waiter whose client holds the fewest slots; the oldest among equals. */
  #next(): Waiter | undefined {
    let best: Waiter | undefined;
    let bestHeld = Infinity;
    for (const waiter of this.#waiting) {
      const held = this.#held.get(waiter.client) ?? 0;
      if (held < bestHeld) {
        best = waiter;
        bestHeld = held;
        if (held === 0) break;
      }
    }
    return best;
  }

  #remove(waiter: Waiter): void {
    const index = this.#waiting.indexOf(waiter);
    if (index >= 0) {
      this.#waiting.splice(index, 1);
      bump(this.#queued, waiter.client, -1);
    }
    if (waiter.timer !== null) clearTimeout(waiter.timer);
    if (waiter.onAbort !== null) waiter.signal?.removeEventListener('abort', waiter.onAbort);
    waiter.timer = null;
    waiter.onAbort = null;
    this.#maybeDrained();
  }

  #maybeDrained(): void {
    if (this.#active !== 0 || this.#waiting.length !== 0 || this.#drainWaiters.length === 0) return;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const value = (map.get(key) ?? 0) + by;
  if (value <= 0) map.delete(key);
  else map.set(key, value);
}
