// A reusable "something changed" promise: many waiters, woken together, cheap when nobody waits.

/** Wakes everyone waiting in `changed()` on each `notify()`. */
export class ChangeSignal {
  #wake: (() => void) | null = null;
  #promise: Promise<void> | null = null;

  /** Resolves at the next `notify()`. */
  changed(): Promise<void> {
    this.#promise ??= new Promise<void>((resolve) => (this.#wake = resolve));
    return this.#promise;
  }

  notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    this.#promise = null;
    wake?.();
  }
}

/** Resolves when any of `promises` settles or `signal` aborts (never rejects). */
export function untilAny(promises: Promise<unknown>[], signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      signal?.removeEventListener("abort", done);
      resolve();
    };
    signal?.addEventListener("abort", done, { once: true });
    for (const promise of promises) promise.then(done, done);
  });
}
