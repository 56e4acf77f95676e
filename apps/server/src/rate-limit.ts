// A token bucket: at most `perSecond` calls per second on average, with bursts up to `perSecond`.

/** How far under a whole token still counts as one. */
const TOKEN_EPSILON = 1e-6;

/** Counts calls and refuses those over the rate. */
export class RateLimiter {
  readonly #perSecond: number;
  #tokens: number;
  #last = performance.now();

  constructor(perSecond: number) {
    this.#perSecond = perSecond;
    this.#tokens = perSecond;
  }

  /** True when one more call may go ahead now (and counts it). */
  take(): boolean {
    const now = performance.now();
    this.#tokens = Math.min(
      this.#perSecond,
      this.#tokens + ((now - this.#last) / 1000) * this.#perSecond,
    );
    this.#last = now;
    // Refills are fractions of elapsed floating-point time: a full bucket may come out a hair
    // under its whole number of tokens.
    if (this.#tokens < 1 - TOKEN_EPSILON) return false;
    this.#tokens -= 1;
    return true;
  }
}
