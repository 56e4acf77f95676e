// "Something changed" notifications whose waits can be cancelled, so idle waiters never pile up.

/** A wait that can be given up: resolves on the event, or at once when `signal` aborts. */
export type Wait = (signal: AbortSignal) => Promise<void>;

/** Wakes everyone waiting in `changed()` on each `notify()`. */
export class ChangeSignal {
  readonly #waiters = new Set<() => void>();

  /**
   * Resolves at the next `notify()`, or when `signal` aborts; an aborted wait leaves nothing
   * behind (a plain shared promise would keep one reaction per abandoned wait until it settles).
   */
  changed(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        this.#waiters.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      this.#waiters.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  notify(): void {
    if (this.#waiters.size === 0) return;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Waits pending right now (for tests: proves abandoned waits are gone). */
  get waiting(): number {
    return this.#waiters.size;
  }
}

/** Why the other waits of firstOf() end: shared, since abort() without a reason builds a DOMException each time. */
const SETTLED = new Error("another wait finished first");

/** Resolves when the first of `waits` does, or `signal` aborts; then cancels the others. */
export async function firstOf(waits: Wait[], signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return;
  const local = new AbortController();
  const cancel = () => local.abort(SETTLED);
  signal?.addEventListener("abort", cancel, { once: true });
  try {
    await Promise.race(waits.map((wait) => wait(local.signal)));
  } finally {
    local.abort(SETTLED);
    signal?.removeEventListener("abort", cancel);
  }
}

/** A wait of `ms` milliseconds whose timer goes away when it is cancelled. */
export function delay(ms: number): Wait {
  return (signal) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    });
}
