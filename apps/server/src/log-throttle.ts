// Rate-limited log lines for refusals: someone flooding the server must not flood its log too.

/** One kind of refusal is logged at most once per this interval (the first one at once). */
export const REFUSAL_LOG_INTERVAL_MS = 60_000;

/** Distinct sources (addresses, credentials) one line names at most; it counts every refusal. */
export const REFUSAL_LOG_MAX_SOURCES = 8;

/** Writes one line standing for `count` refusals from `sources` (at most REFUSAL_LOG_MAX_SOURCES). */
export type RefusalWriter = (count: number, sources: string[]) => void;

/**
 * Logs one kind of event at most once per interval: the first at once, and those that came
 * meanwhile in one line when the interval is up, so a burst is reported in full even if nothing
 * follows it.
 */
export class LogThrottle {
  readonly #write: RefusalWriter;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #loggedAt = -Infinity;
  #count = 0;
  readonly #sources = new Set<string>();
  #timer: NodeJS.Timeout | null = null;

  constructor(
    write: RefusalWriter,
    intervalMs = REFUSAL_LOG_INTERVAL_MS,
    now: () => number = () => performance.now(),
  ) {
    this.#write = write;
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  /** Records one event from `source`; logs it now, or with the others when the interval is up. */
  note(source: string): void {
    this.#count++;
    if (this.#sources.size < REFUSAL_LOG_MAX_SOURCES) this.#sources.add(source);
    const wait = this.#loggedAt + this.#intervalMs - this.#now();
    if (wait <= 0) {
      this.#flush();
      return;
    }
    if (!this.#timer) {
      this.#timer = setTimeout(() => this.#flush(), wait);
      // A pending summary never keeps the process alive.
      this.#timer.unref();
    }
  }

  /** Writes the pending summary now, if any (at shutdown: the counts are not lost). */
  flush(): void {
    this.#flush();
  }

  #flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#count === 0) return;
    this.#loggedAt = this.#now();
    const count = this.#count;
    const sources = [...this.#sources];
    this.#count = 0;
    this.#sources.clear();
    this.#write(count, sources);
  }
}
