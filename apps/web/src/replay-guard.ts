// Keeps xterm from answering terminal queries (DA, DSR, OSC 11...) found in replayed output.

/** The part of xterm's Terminal the guard writes through. */
export interface Writable {
  write(data: string | Uint8Array, callback?: () => void): void;
}

/**
 * Whether code runs inside the browser's handling of something the person did (a key, a paste,
 * a click, focus). xterm emits keystrokes from such handlers, and its answers to queries while it
 * parses output: from its own timer, or synchronously inside `write()`, which this app calls from
 * a WebSocket message handler.
 */
export function inUserEvent(): boolean {
  // `window.event` is the event being dispatched, if any (legacy but in every browser).
  const event = typeof window === "undefined" ? undefined : window.event;
  return event !== undefined && !(event instanceof MessageEvent);
}

/**
 * Writes output to a terminal and tells, when the terminal emits data, whether that data is its
 * answer to a query in replayed bytes (output produced before this client attached, or a
 * snapshot): such answers must not reach the shell, which would read them as typed input.
 *
 * xterm parses writes in order and calls each write's callback right after parsing it, before
 * parsing the next, so the oldest write whose callback has not run is the one being parsed.
 */
export class ReplayGuard {
  /** Per write not yet parsed: true when it carries replayed bytes. */
  readonly #pending: boolean[] = [];
  readonly #isUserEvent: () => boolean;
  #userDepth = 0;
  /** Answers dropped so far (for tests and diagnostics). */
  dropped = 0;

  constructor(isUserEvent: () => boolean = inUserEvent) {
    this.#isUserEvent = isUserEvent;
  }

  /** Writes `data`, marked as replayed or live; `done` runs once the terminal parsed it. */
  write(terminal: Writable, data: string | Uint8Array, replay: boolean, done?: () => void): void {
    this.#pending.push(replay);
    terminal.write(data, () => {
      this.#pending.shift();
      done?.();
    });
  }

  /** Runs `action` (e.g. a paste from the clipboard) as input the person gave. */
  asUser<T>(action: () => T): T {
    this.#userDepth++;
    try {
      return action();
    } finally {
      this.#userDepth--;
    }
  }

  /** Whether the terminal's data now comes from the person (a key, a paste, a click). */
  userInput(): boolean {
    return this.#userDepth > 0 || this.#isUserEvent();
  }

  /** Writes queued and not yet parsed. */
  get pendingWrites(): number {
    return this.#pending.length;
  }

  /** True while the terminal parses (or is about to parse) replayed bytes. */
  get replaying(): boolean {
    return this.#pending[0] === true;
  }

  /**
   * Call from the terminal's onData: true when `data` must be dropped because the terminal
   * generated it while parsing replayed bytes.
   */
  shouldDrop(): boolean {
    if (this.#pending[0] !== true) return false;
    if (this.userInput()) return false;
    this.dropped++;
    return true;
  }
}
