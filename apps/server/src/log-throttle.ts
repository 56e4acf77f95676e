// Rate-limited log lines for refusals: someone flooding the server must not flood its log too.

/** One kind of refusal is logged at most once per this interval (the first one at once). */
export const REFUSAL_LOG_INTERVAL_MS = 60_000;

/**
 * Counts events of one kind and says when one may be logged: the first at once, then at most
 * one line per interval, which reports how many happened since the last line.
 */
export class LogThrottle {
  readonly #intervalMs: number;
  readonly #now: () => number;
  #loggedAt = -Infinity;
  #unlogged = 0;

  constructor(intervalMs = REFUSAL_LOG_INTERVAL_MS, now: () => number = () => performance.now()) {
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  /**
   * Records one event. Returns null when it must not be logged, or the number of events the line
   * stands for (this one and those left unlogged before it).
   */
  note(): number | null {
    this.#unlogged++;
    const now = this.#now();
    if (now - this.#loggedAt < this.#intervalMs) return null;
    this.#loggedAt = now;
    const count = this.#unlogged;
    this.#unlogged = 0;
    return count;
  }
}
