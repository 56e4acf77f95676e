// "Something changed" notifications whose waits can be cancelled, so idle waiters never pile up.

/**
 * A source of changes: calls `wake` once, at its next change, and returns a function that cancels
 * that. Callbacks rather than promises: an attachment waits once per event, and an
 * AbortController plus listeners per wait cost it 16-20 µs where this costs about 3.
 */
export type OnChange = (wake: () => void) => () => void;

/** Wakes everyone waiting on it at each `notify()`. */
export class ChangeSignal {
  readonly #waiters = new Set<() => void>();

  /**
   * Calls `wake` once, at the next `notify()`; the returned function cancels that. A bound
   * property rather than a method, so callers can pass it on as a source: `[signal.once]`.
   */
  readonly once: OnChange = (wake) => {
    this.#waiters.add(wake);
    return () => {
      this.#waiters.delete(wake);
    };
  };

  /**
   * Resolves at the next `notify()`, or when `signal` aborts; an aborted wait leaves nothing
   * behind (a plain shared promise would keep one reaction per abandoned wait until it settles).
   */
  changed(signal?: AbortSignal): Promise<void> {
    return firstChange([this.once], signal);
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

/**
 * Resolves at the first change of any of `sources`, or when `signal` aborts, and cancels the
 * rest then. A source may wake at once, while it is being registered.
 */
export function firstChange(sources: OnChange[], signal?: AbortSignal): Promise<void> {
  const abort = signal ? abortWatch(signal) : null;
  if (abort?.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const cancels: (() => void)[] = [];
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      for (const cancel of cancels) cancel();
      resolve();
    };
    const register = (source: OnChange) => {
      const cancel = source(done);
      if (settled) cancel();
      else cancels.push(cancel);
    };
    for (const source of sources) register(source);
    if (abort) register(abort.change.once);
  });
}

/** Whether `signal` has aborted, read from its watch (see `abortWatch`). */
export function isAborted(signal: AbortSignal | undefined): boolean {
  return signal ? abortWatch(signal).aborted : false;
}

/** What one listener on an AbortSignal saw: whether it aborted, and a change when it does. */
interface AbortWatch {
  aborted: boolean;
  readonly change: ChangeSignal;
}

const abortWatches = new WeakMap<AbortSignal, AbortWatch>();

/**
 * One abort listener per signal for its whole life, instead of one added and removed per wait:
 * an attachment waits once per event on its subscription's signal, and Node's EventTarget work
 * for each add and remove showed in the server's CPU per MB of a flood (50 MB of ANSI output,
 * interleaved A/B: 7.4 against 6.7 ms/MB).
 */
function abortWatch(signal: AbortSignal): AbortWatch {
  const known = abortWatches.get(signal);
  if (known) return known;
  const watch: AbortWatch = { aborted: signal.aborted, change: new ChangeSignal() };
  const onAbort = () => {
    watch.aborted = true;
    watch.change.notify();
  };
  if (!watch.aborted) signal.addEventListener("abort", onAbort, { once: true });
  abortWatches.set(signal, watch);
  return watch;
}

/** A change `ms` milliseconds from when it is waited on; cancelling clears the timer. */
export function afterMs(ms: number): OnChange {
  return (wake) => {
    const timer = setTimeout(wake, ms);
    return () => clearTimeout(timer);
  };
}
