// A headless xterm that mirrors a session's screen, so a client that skipped ahead gets a redraw.
import serializeAddon from "@xterm/addon-serialize";
import unicode11Addon from "@xterm/addon-unicode11";
import headless from "@xterm/headless";
import type { OutputLog } from "./output-log.js";

/** Lines of scrollback the mirror keeps and a snapshot carries. */
export const DEFAULT_SNAPSHOT_SCROLLBACK = 1000;

/** Bytes handed to the parser at a time, so one piece never blocks the event loop for long. */
const FEED_BYTES = 16 * 1024;

/**
 * The mirror may use at most 1 / (1 + FEED_IDLE_FACTOR) (10%) of the event loop while output floods:
 * it parses in the background and catches up in full only when a snapshot is asked for.
 */
const FEED_IDLE_FACTOR = 9;

/**
 * The most a mirror parses to catch up. One further behind skips to this many bytes before the
 * end: a screen and its scrollback are redrawn well within them, and parsing more is wasted.
 */
export const MAX_CATCH_UP_BYTES = 1024 * 1024;

/** While output floods faster than the mirror parses, how often it looks whether the flood paused. */
const FLOOD_LOOK_MS = 100;

/** A serialised screen: written to a reset terminal it redraws what the session shows. */
export interface ScreenSnapshot {
  data: string;
  cols: number;
  rows: number;
  /** The output offset the snapshot shows the screen at. */
  offset: number;
}

interface PendingResize {
  offset: number;
  cols: number;
  rows: number;
}

/**
 * Follows an OutputLog into a headless terminal. Parsing trails the log at a bounded share of
 * the CPU, and not at all while a flood outruns it; a mirror far behind skips to the newest
 * MAX_CATCH_UP_BYTES (a full-screen program or a flood redraws itself within them).
 */
export class ScreenMirror {
  readonly #log: OutputLog;
  readonly #terminal: headless.Terminal;
  readonly #serializer = new serializeAddon.SerializeAddon();
  readonly #scrollback: number;
  /** Offset up to which bytes have been handed to the terminal. */
  #fed = 0;
  #resizes: PendingResize[] = [];
  #feeding = false;
  #timer: NodeJS.Timeout | null = null;
  #disposed = false;
  #snapshotting: Promise<ScreenSnapshot> | null = null;
  #endAtLastLook = -1;
  /** The title the program set last (OSC 0/2, or a restored one): the serialiser leaves it out. */
  #title = "";
  /** Times the mirror skipped bytes it never parsed (dropped by the log, or too far behind). */
  resyncs = 0;
  /** Bytes handed to the terminal so far. */
  parsedBytes = 0;

  constructor(
    log: OutputLog,
    cols: number,
    rows: number,
    scrollback = DEFAULT_SNAPSHOT_SCROLLBACK,
  ) {
    this.#log = log;
    this.#scrollback = scrollback;
    this.#terminal = new headless.Terminal({
      cols,
      rows,
      scrollback,
      allowProposedApi: true,
      // As the web app's terminals do: vim saves the shell's title and gives it back on quitting.
      windowOptions: { pushTitle: true, popTitle: true },
    });
    this.#terminal.loadAddon(this.#serializer);
    this.#terminal.loadAddon(new unicode11Addon.Unicode11Addon());
    this.#terminal.unicode.activeVersion = "11";
    this.#terminal.onTitleChange((title) => {
      this.#title = title;
    });
  }

  /** Call after the log grew; parsing happens later, in the background. */
  poke(): void {
    if (!this.#feeding && !this.#timer && !this.#disposed && !this.#snapshotting) this.#schedule(0);
  }

  /** The terminal changed size at the log's current end. */
  resize(cols: number, rows: number): void {
    this.#resizes.push({ offset: this.#log.end, cols, rows });
    this.poke();
  }

  /**
   * Parses everything the log holds now and serialises the screen at that offset. Callers at the
   * same time share one snapshot, and background parsing waits for it: otherwise it could move
   * the parsed offset past bytes the serialised screen does not show yet.
   */
  snapshot(): Promise<ScreenSnapshot> {
    if (this.#disposed) return Promise.reject(new Error("snapshot of a disposed screen"));
    this.#snapshotting ??= this.#takeSnapshot().finally(() => {
      this.#snapshotting = null;
      this.poke();
    });
    return this.#snapshotting;
  }

  async #takeSnapshot(): Promise<ScreenSnapshot> {
    this.#cancelTimer();
    while (this.#feeding) await this.#write("");
    const target = this.#log.end;
    this.#skipStale();
    while (this.#fed < target) await this.#feedPiece(target, target - this.#fed);
    this.#applyResizesUpTo(target);
    await this.#write("");
    const data =
      titleSequence(this.#title) + this.#serializer.serialize({ scrollback: this.#scrollback });
    const snapshot = {
      data,
      cols: this.#terminal.cols,
      rows: this.#terminal.rows,
      offset: this.#fed,
    };
    return snapshot;
  }

  dispose(): void {
    this.#disposed = true;
    this.#cancelTimer();
    this.#terminal.dispose();
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#feedInBackground();
    }, delayMs);
    this.#timer.unref();
  }

  #cancelTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  async #feedInBackground(): Promise<void> {
    if (this.#disposed || this.#feeding || this.#snapshotting) return;
    const end = this.#log.end;
    if (end - this.#fed > MAX_CATCH_UP_BYTES && end !== this.#endAtLastLook) {
      // A flood: these bytes will be skipped, so parsing them now is wasted. Look again later.
      this.#endAtLastLook = end;
      this.#schedule(FLOOD_LOOK_MS);
      return;
    }
    this.#skipStale();
    if (this.#fed >= this.#log.end) {
      this.#applyResizesUpTo(this.#fed);
      return;
    }
    const started = performance.now();
    this.#feeding = true;
    try {
      await this.#feedPiece(this.#log.end, FEED_BYTES);
    } finally {
      this.#feeding = false;
    }
    if (this.#disposed) return;
    const spent = performance.now() - started;
    if (this.#fed < this.#log.end) this.#schedule(spent * FEED_IDLE_FACTOR);
  }

  /** Hands the terminal up to `maxBytes` (stopping at a pending resize), then applies resizes due. */
  async #feedPiece(target: number, maxBytes: number): Promise<void> {
    this.#applyResizesUpTo(this.#fed);
    const nextResize = this.#resizes[0]?.offset ?? Infinity;
    const until = Math.min(target, nextResize, this.#fed + maxBytes);
    // Raw bytes: the terminal's decoder carries a split UTF-8 character over to the next write.
    const bytes = this.#log.readRaw(this.#fed, until);
    if (!bytes) return this.#skipStale();
    this.#fed += bytes.length;
    this.parsedBytes += bytes.length;
    await this.#write(bytes);
    this.#applyResizesUpTo(this.#fed);
  }

  #write(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve) => this.#terminal.write(data, resolve));
  }

  #applyResizesUpTo(offset: number): void {
    while (this.#resizes.length > 0 && this.#resizes[0]!.offset <= offset) {
      const { cols, rows } = this.#resizes.shift()!;
      this.#terminal.resize(cols, rows);
    }
  }

  /**
   * Skips what is not worth parsing: bytes the log dropped, and all but the newest
   * MAX_CATCH_UP_BYTES. Without a reset: what follows redraws the screen anyway (a flood scrolls
   * it, a full-screen program repaints it), and a reset would drop every scrollback line for xterm
   * to allocate again, which in a long flood meant megabytes of garbage per skip.
   */
  #skipStale(): void {
    const from = Math.max(this.#log.start, this.#log.end - MAX_CATCH_UP_BYTES);
    if (this.#fed >= from) return;
    this.resyncs++;
    this.#fed = from;
    this.#applyResizesUpTo(from);
  }
}

/** Code points of a title a snapshot carries: more than any tab shows, far less than xterm takes. */
export const MAX_CARRIED_TITLE = 500;

/**
 * The OSC 2 that sets `title` again, so a client redrawn from a snapshot names the tab as the
 * program did. Also when empty: a client reset with RIS keeps its title, which would otherwise
 * outlive a program that cleared it (Claude Code does on exit). Control characters are dropped:
 * one could end the sequence early and have the rest run as terminal commands.
 */
export function titleSequence(title: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const clean = title.replace(/[\u0000-\u001f\u007f-\u009f]/g, "");
  return `\x1b]2;${Array.from(clean).slice(0, MAX_CARRIED_TITLE).join("")}\x07`;
}
