// A token bucket per client (token name, or address for the anonymous loopback client): `burst`
// requests at once, refilled at `perSecond`. The table is bounded: when full, the least recently
// seen client is forgotten (a forgotten client starts again with a full bucket, which only errs on
// the side of serving it).

export interface RateDecision {
  allowed: boolean;
  /** Seconds until one request is available again (when not allowed). */
  retryAfter: number;
  /** Whole requests left in the bucket after this one. */
  remaining: number;
}

interface Bucket {
  tokens: number;
  updated: number;
}

export class RateLimiter {
  readonly perSecond: number;
  readonly burst: number;
  readonly #buckets = new Map<string, Bucket>();
  readonly #maxClients: number;
  readonly #now: () => number;

  constructor(options: { perSecond: number; burst: number; maxClients?: number; now?: () => number }) {
    this.perSecond = options.perSecond;
    this.burst = options.burst;
    this.#maxClients = options.maxClients ?? 10_000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Takes one request from the client's bucket. */
  take(key: string): RateDecision {
    const now = this.#now();
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxClients) {
        const oldest = this.#buckets.keys().next();
        if (oldest.done !== true) this.#buckets.delete(oldest.value);
      }
      bucket = { tokens: this.burst, updated: now };
    } else {
      this.#buckets.delete(key); // re-inserted below: Map order is recency order
      bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updated) / 1000) * this.perSecond);
      bucket.updated = now;
    }
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfter: 0, remaining: Math.floor(bucket.tokens) };
    }
    return { allowed: false, retryAfter: (1 - bucket.tokens) / this.perSecond, remaining: 0 };
  }

  /** Clients currently tracked. */
  get size(): number {
    return this.#buckets.size;
  }
}
