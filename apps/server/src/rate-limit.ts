// A token bucket: at most `perSecond` calls per second on average, with bursts up to `perSecond`.

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
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
