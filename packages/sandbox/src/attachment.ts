// One client's read position in a session: replay, then live output, snapshots when it fell behind.
import {
  FLOW_EVENT_BYTES,
  FLOW_MIN_WINDOW,
  FLOW_MAX_EVENT_BYTES,
  FLOW_MAX_WINDOW,
  FLOW_RATE_INTERVAL_MS,
  FLOW_WINDOW_MS,
} from "@porthole/protocol";
import { afterMs, ChangeSignal, firstChange, isAborted, type OnChange } from "./change-signal.js";
import type { Session, SessionEvent } from "./session.js";

/** Largest output event an attachment yields, so one frame never holds much. */
export const DEFAULT_MAX_EVENT_BYTES = 64 * 1024;

/**
 * The smallest `maxEventBytes`: events never split a UTF-8 character, which takes up to 4 bytes,
 * so a smaller event could never carry one and output would stop there.
 */
export const MIN_EVENT_BYTES = 4;

/**
 * A client more than this share of the log behind its end (a quarter) holds the PTY back as a
 * blocked one does. Otherwise a client whose socket drains now and then lets the PTY resume at
 * every drain, each time with up to PTY_THREAD_MAX_PENDING more read before the next pause, until
 * it falls out of the log and skips ahead, though it kept reading.
 */
export const LAG_HOLD_DIVISOR = 4;

/** How a client attaches. */
export interface AttachOptions {
  /** Offset the client has everything before (tRPC's lastEventId), or null for a fresh attach. */
  from: number | null;
  /** True when the client calls `ack()` as it renders output (flow control by watermarks). */
  acks?: boolean;
  /** Largest `output` event in bytes. */
  maxEventBytes?: number;
  /**
   * Who is attaching. A client that detaches holds its place for RECONNECT_HOLD_MS: if it was the
   * last one, a pausable PTY waits for it instead of flooding past what the log keeps.
   */
  clientId?: string | undefined;
  /**
   * True: an `output` event's `data` is a view of the session's log, valid until control returns
   * to the event loop, for a transport that sends each event before it awaits anything else (it
   * saves a copy per event). Default false: `data` is a copy the caller owns.
   */
  views?: boolean;
}

/** What an attachment tells its session. */
export interface AttachmentHooks {
  detach: () => void;
  flowChanged: () => void;
}

/**
 * A cursor over a session's events for one client. Call `next()` for each event; it waits for
 * output and never blocks the PTY: a client that falls out of the log gets a `snapshot`.
 */
export class Attachment {
  readonly clientId: string | undefined;
  readonly #session: Session;
  readonly #hooks: AttachmentHooks;
  readonly #acks: boolean;
  readonly #views: boolean;
  /** Set by the caller (a fixed size), or null: sized from the flow-control window. */
  readonly #maxEventBytes: number | null;
  /** Output before this offset was written before the client attached: replay, not live. */
  readonly #replayUntil: number;
  readonly #fromElsewhere: boolean;
  #cursor: number | null;
  #acked: number;
  #statusesSent = 0;
  #readySent = false;
  #size: { cols: number; rows: number };
  /** The session's `sizeFreed` this client has been told of. */
  #sizeFreed: number;
  #finished = false;
  #detached = false;
  #backpressured = false;
  #ackBlocked = false;
  /** Far behind the log's end (see LAG_HOLD_DIVISOR), as of the last look. */
  #lagging = false;
  readonly #ackChanges = new ChangeSignal();
  /** Unacknowledged bytes this client may hold (see FLOW_WINDOW_MS). */
  #window = FLOW_MIN_WINDOW;
  /** Where the current measurement of the ack rate started: when, and the offset acked then. */
  #rateSince = performance.now();
  #rateFrom: number;

  constructor(session: Session, options: AttachOptions, hooks: AttachmentHooks) {
    this.#session = session;
    this.#hooks = hooks;
    this.clientId = options.clientId;
    this.#acks = options.acks ?? false;
    this.#views = options.views ?? false;
    this.#maxEventBytes = options.maxEventBytes ?? (this.#acks ? null : DEFAULT_MAX_EVENT_BYTES);
    this.#replayUntil = session.log.end;
    // An offset past the end comes from another life of this session (a server restart that
    // took its sandbox back starts a new log): the client gets the screen, not a guess.
    this.#fromElsewhere = options.from !== null && options.from > session.log.end;
    this.#cursor = options.from === null || this.#fromElsewhere ? null : options.from;
    this.#acked = this.#cursor ?? 0;
    this.#rateFrom = this.#acked;
    this.#size = { cols: session.cols, rows: session.rows };
    this.#sizeFreed = session.sizeFreed;
  }

  /** The offset this client has been sent everything before. */
  get offset(): number {
    return this.#cursor ?? this.#session.log.start;
  }

  /** True while this client cannot take more output (its socket is full, or it is unacknowledged). */
  get blocked(): boolean {
    return this.#backpressured || this.#ackBlocked;
  }

  /** True while this client holds the PTY back: it is blocked, or far behind (LAG_HOLD_DIVISOR). */
  get holdsBack(): boolean {
    return this.blocked || this.#lagging;
  }

  /** Looks again whether this client is far behind the log's end; true when that changed. */
  updateLag(): boolean {
    const log = this.#session.log;
    const lagging =
      this.#cursor !== null && log.end - this.#cursor > log.capacity / LAG_HOLD_DIVISOR;
    if (lagging === this.#lagging) return false;
    this.#lagging = lagging;
    return true;
  }

  /** The cursor moved: a client that caught up lets the PTY go on. */
  #moved(): void {
    if (this.updateLag()) this.#hooks.flowChanged();
  }

  /** The transport says whether its buffer is over its bound. */
  setBackpressured(backpressured: boolean): void {
    if (this.#backpressured === backpressured) return;
    this.#backpressured = backpressured;
    this.#hooks.flowChanged();
  }

  /** The client has rendered every byte before `offset`. */
  ack(offset: number): void {
    if (offset <= this.#acked) return;
    this.#acked = Math.min(offset, this.#cursor ?? offset);
    this.#sizeWindow();
    if (this.#ackBlocked && this.#unacked() <= this.#window / 2) {
      this.#ackBlocked = false;
      this.#hooks.flowChanged();
      this.#ackChanges.notify();
    }
  }

  /**
   * Sets the window to FLOW_WINDOW_MS of the rate acks arrived at over the last interval. While
   * the window is what limits a fast client, each interval grows it by FLOW_WINDOW_MS over the
   * round trip, until the client's drawing is the limit (or FLOW_MAX_WINDOW).
   */
  #sizeWindow(): void {
    const now = performance.now();
    const elapsed = now - this.#rateSince;
    if (elapsed < FLOW_RATE_INTERVAL_MS) return;
    const rate = (this.#acked - this.#rateFrom) / elapsed;
    this.#window = Math.min(FLOW_MAX_WINDOW, Math.max(FLOW_MIN_WINDOW, rate * FLOW_WINDOW_MS));
    this.#rateSince = now;
    this.#rateFrom = this.#acked;
  }

  /** The largest output event now: an eighth of the window, so several are always in flight. */
  #eventBytes(): number {
    if (this.#maxEventBytes !== null) return this.#maxEventBytes;
    return Math.min(FLOW_MAX_EVENT_BYTES, Math.max(FLOW_EVENT_BYTES, Math.floor(this.#window / 8)));
  }

  /** Bytes written to the log that this client has not been sent yet. */
  get pending(): number {
    const log = this.#session.log;
    return log.end - (this.#cursor ?? log.start);
  }

  /**
   * Waits `maxWaitMs` unless `bytes` are already pending or the log closed: lets a flood leave in
   * fewer, larger events. A plain timer, not a wake-up per PTY read: during a flood those come
   * every few microseconds and each would cost more than it saves.
   */
  async gather(bytes: number, maxWaitMs: number, signal?: AbortSignal): Promise<void> {
    // Nothing to wait for when a full event is already there, or when no more is coming soon:
    // the PTY is paused (waiting would stall every flow-control window by maxWaitMs).
    const enough = Math.min(bytes, this.#eventBytes());
    if (
      this.pending >= enough ||
      this.#session.log.closed ||
      this.#session.paused ||
      isAborted(signal)
    )
      return;
    await firstChange([afterMs(maxWaitMs), this.#session.onChange], signal);
  }

  /** Stops following the session. */
  detach(): void {
    if (this.#detached) return;
    this.#detached = true;
    this.#ackChanges.notify();
    this.#hooks.detach();
  }

  /**
   * The next event for this client, waiting as long as it takes, or null when the stream is over
   * (the session ended, or `signal` aborted).
   */
  async next(signal?: AbortSignal): Promise<SessionEvent | null> {
    while (!this.#finished && !this.#detached && !isAborted(signal)) {
      const event = await this.#poll();
      if (event) return event;
      // A client blocked on acks waits for an ack or a state change, never for more output: a
      // closed log "changes" at once, and waiting on it would spin without yielding to I/O.
      const sources: OnChange[] = this.#ackBlocked
        ? [this.#session.onChange, this.#ackChanges.once]
        : [this.#session.onChange, this.#session.log.onChange];
      await firstChange(sources, signal);
    }
    return null;
  }

  /** The event due now, if any. */
  async #poll(): Promise<SessionEvent | null> {
    const session = this.#session;
    const log = session.log;
    // Before the first output the id is 0 ("nothing yet"): resuming from it replays from the start,
    // or sends the screen when the start is gone, never bytes from mid-stream.
    const at = (event: SessionEvent["event"]): SessionEvent => ({
      offset: this.#cursor ?? 0,
      event,
    });

    if (this.#statusesSent < session.statuses.length && !this.#readySent) {
      return at(session.statuses[this.#statusesSent++]!);
    }
    if (session.state === "failed") {
      this.#finished = true;
      const failure = session.failure ?? { code: "SANDBOX_FAILED", message: "The session failed" };
      return at({ type: "error", ...failure });
    }
    // Ready only for a session that ran: one closed while starting goes straight to its end.
    if (!this.#readySent && session.state !== "starting" && session.ran) {
      this.#readySent = true;
      return at({ type: "ready", session: session.info() });
    }
    if (session.cols !== this.#size.cols || session.rows !== this.#size.rows) {
      this.#size = { cols: session.cols, rows: session.rows };
      this.#sizeFreed = session.sizeFreed;
      return at({ type: "resize", ...this.#size });
    }
    // The client that set the size left: whoever draws at it instead of its own may take it.
    if (session.sizeFreed !== this.#sizeFreed) {
      this.#sizeFreed = session.sizeFreed;
      return at({ type: "resize", ...this.#size, free: true });
    }
    if (this.#ackBlocked) return null;

    const output = await this.#output();
    if (output) return output;

    // A closed log has delivered all it can (a closed session's lost bytes cannot be redrawn).
    if (log.closed) {
      this.#finished = true;
      if (session.exit) return at({ type: "exit", ...session.exit });
      // SHUTTING_DOWN tells a client that a new session waits for the server to be back.
      const code = session.endReason === "shutdown" ? "SHUTTING_DOWN" : "SESSION_ENDED";
      return at({ type: "error", code, message: endMessage(session.endReason) });
    }
    return null;
  }

  /** Output from the cursor, or a snapshot when the cursor's bytes are gone. */
  async #output(): Promise<SessionEvent | null> {
    const session = this.#session;
    const log = session.log;
    // A fresh attach replays all output when all of it is kept and was drawn at today's size;
    // otherwise it gets the screen (an ended session has none left: it replays what there is).
    if (
      this.#cursor === null &&
      log.start === 0 &&
      !this.#fromElsewhere &&
      (session.sizedAt === 0 || session.ended)
    ) {
      this.#cursor = 0;
    }
    if (this.#cursor === null || this.#cursor < log.start) {
      if (session.ended) return null;
      const from = this.#cursor;
      const snapshot = await session.screen.snapshot();
      this.#cursor = snapshot.offset;
      this.#moved();
      this.#acked = Math.max(this.#acked, snapshot.offset);
      // Skipped bytes were never drawn: they say nothing about how fast this client draws.
      this.#rateFrom = this.#acked;
      return {
        offset: snapshot.offset,
        event: {
          type: "snapshot",
          data: snapshot.data,
          cols: snapshot.cols,
          rows: snapshot.rows,
          offset: snapshot.offset,
          skipped: from === null ? 0 : snapshot.offset - from,
        },
      };
    }
    if (this.#cursor >= log.end) return null;
    // Keep replayed and live bytes in separate events so the client knows which is which.
    const replay = this.#cursor < this.#replayUntil;
    const maxBytes = this.#eventBytes();
    const limit = replay ? Math.min(maxBytes, this.#replayUntil - this.#cursor) : maxBytes;
    const slice = log.read(this.#cursor, limit);
    if (!slice) return this.#output();
    if (slice.to === slice.from) {
      this.#cursor = slice.from;
      return null;
    }
    this.#cursor = slice.to;
    this.#moved();
    if (this.#acks && this.#unacked() > this.#window) {
      this.#ackBlocked = true;
      this.#hooks.flowChanged();
    }
    // Bytes, not a string: transports send them as they are, terminals parse them as they are.
    const data = this.#views ? slice.bytes : Buffer.from(slice.bytes);
    return {
      offset: slice.to,
      event: replay ? { type: "output", data, replay: true } : { type: "output", data },
    };
  }

  #unacked(): number {
    return (this.#cursor ?? 0) - this.#acked;
  }
}

function endMessage(reason: Session["endReason"]): string {
  switch (reason) {
    case "detached":
      return "The session ended: nobody was attached for too long";
    case "idle":
      return "The session ended: no input or output for too long";
    case "shutdown":
      return "The session ended: the server shut down";
    default:
      return "The session was closed";
  }
}
