import type { RateLimitConfig } from './config.ts';

/** Token buckets in memory, one per client key; idle buckets are forgotten once full again. */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #rate: number;
  readonly #capacity: number;
  readonly #now: () => number;

  constructor(config: RateLimitConfig, now: () => number = Date.now) {
    if (!(config.perSecond > 0)) throw new Error('rate limit: perSecond must be > 0');
    this.#rate = config.perSecond;
    this.#capacity = Math.max(1, config.burst);
    this.#now = now;
  }

  /** Takes one token; when none is left, returns how many seconds to wait (Retry-After). */
  take(key: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#capacity, at: now };
    bucket.tokens = Math.min(this.#capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.#rate);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    this.#sweep(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.#rate)) };
  }

  #lastSweep = 0;

  #sweep(now: number): void {
    if (now - this.#lastSweep < 60_000) return;
    this.#lastSweep = now;
    const refillMs = (this.#capacity / this.#rate) * 1000;
    for (const [key, b] of this.#buckets) if (now - b.at > refillMs) this.#buckets.delete(key);
  }
}
