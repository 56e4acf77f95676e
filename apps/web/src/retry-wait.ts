// The wait before a reconnect attempt, which "Retry now" can cut short and closing can cancel.

/** Rejects a wait cancelled because the connection is closing (nothing more is tried). */
export class RetryWaitCancelled extends Error {
  constructor() {
    super("The connection was closed while waiting to reconnect");
    this.name = "RetryWaitCancelled";
  }
}

interface PendingWait {
  timer: ReturnType<typeof setTimeout>;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * One backoff wait at a time: a timer that `skip()` ends early (the attempt starts now) and
 * `cancel()` ends with an error (the attempt never starts). Once cancelled, later waits are refused
 * too, so a reconnect loop that is already past its check cannot open a socket after closing.
 */
export class RetryWait {
  #pending: PendingWait | null = null;
  #cancelled = false;

  /** Whether a wait is under way (so `skip()` would start the attempt early). */
  get waiting(): boolean {
    return this.#pending !== null;
  }

  /** Resolves after `ms`, or as soon as `skip()` is called; rejects once `cancel()` is. */
  wait(ms: number): Promise<void> {
    if (this.#cancelled) return Promise.reject(new RetryWaitCancelled());
    // A second wait would leave the first one's caller hanging: end it first.
    this.skip();
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending = null;
        resolve();
      }, ms);
      this.#pending = { timer, resolve, reject };
    });
  }

  /** Ends the wait under way now; false when there was none (an attempt is already running). */
  skip(): boolean {
    const pending = this.#pending;
    if (!pending) return false;
    this.#pending = null;
    clearTimeout(pending.timer);
    pending.resolve();
    return true;
  }

  /** Ends the wait under way, and every later one, with a RetryWaitCancelled error. */
  cancel(): void {
    this.#cancelled = true;
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = null;
    clearTimeout(pending.timer);
    pending.reject(new RetryWaitCancelled());
  }
}
