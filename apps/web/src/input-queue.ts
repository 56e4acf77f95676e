// Keystrokes and resizes for one session, numbered by `seq` and delivered once, in order, across reconnects.
import { MAX_INPUT_BYTES } from "@porthole/protocol";
import { errorCode, isConnectionLost } from "./errors.js";

/** One numbered call: `terminal.input` or `terminal.resize` (they share the seq counter). */
export type SequencedCall =
  | { seq: number; type: "input"; data: string; answer?: true }
  | { seq: number; type: "resize"; cols: number; rows: number };

/** What to do with a call that failed. */
export type FailureAction =
  /** The socket closed before the answer: send the same seq again (tRPC holds it until reconnected). */
  | "resend"
  /** The server refused for now (rate limit): send the same seq again after a pause. */
  | "resend-later"
  /** The server refused this call for good; later calls still go. */
  | "drop"
  /** The session is gone: stop. */
  | "fatal";

/** How a failed input or resize call is handled, from its error. */
export function classifyFailure(error: unknown): FailureAction {
  const code = errorCode(error);
  if (code === null) return isConnectionLost(error) ? "resend" : "drop";
  switch (code) {
    case "LIMIT":
      // Refused before it was sequenced: the seq is still free, so the same call goes again.
      return "resend-later";
    case "UNAUTHORIZED":
    case "NOT_FOUND":
    case "SESSION_ENDED":
    case "SHUTTING_DOWN":
      return "fatal";
    default:
      return "drop";
  }
}

/**
 * Bytes a character costs in a JSON text frame: control characters become `\n` or `\u001b`,
 * quotes and backslashes are escaped, the rest is UTF-8.
 */
function frameCost(codePoint: number): number {
  if (codePoint === 0x22 || codePoint === 0x5c) return 2;
  if (codePoint < 0x20) {
    return codePoint === 0x08 ||
      codePoint === 0x09 ||
      codePoint === 0x0a ||
      codePoint === 0x0c ||
      codePoint === 0x0d
      ? 2
      : 6;
  }
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  // Lone surrogates are escaped as \uXXXX by JSON.stringify.
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return 6;
  return codePoint < 0x10000 ? 3 : 4;
}

function utf8Bytes(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  return codePoint < 0x10000 ? 3 : 4;
}

/** Frame bytes of a whole string (see frameCost). */
export function frameBytes(text: string): number {
  let total = 0;
  for (const char of text) total += frameCost(char.codePointAt(0) ?? 0);
  return total;
}

/** UTF-8 bytes of a whole string. */
export function utf8Length(text: string): number {
  let total = 0;
  for (const char of text) total += utf8Bytes(char.codePointAt(0) ?? 0);
  return total;
}

/**
 * Splits text into pieces of at most `maxUtf8` UTF-8 bytes (the server's MAX_INPUT_BYTES) and at
 * most `maxFrame` JSON frame bytes, never inside a character.
 */
export function splitInput(
  text: string,
  maxUtf8 = MAX_INPUT_BYTES,
  maxFrame = MAX_INPUT_BYTES,
): string[] {
  const pieces: string[] = [];
  let start = 0;
  let index = 0;
  let utf8 = 0;
  let frame = 0;
  for (const char of text) {
    const codePoint = char.codePointAt(0) ?? 0;
    const u = utf8Bytes(codePoint);
    const f = frameCost(codePoint);
    if (index > start && (utf8 + u > maxUtf8 || frame + f > maxFrame)) {
      pieces.push(text.slice(start, index));
      start = index;
      utf8 = 0;
      frame = 0;
    }
    utf8 += u;
    frame += f;
    index += char.length;
  }
  if (index > start) pieces.push(text.slice(start, index));
  return pieces;
}

/** Settings of an InputQueue. */
export interface InputQueueOptions {
  /** Sends one call; resolves once the server applied it (or had applied it before). */
  send: (call: SequencedCall) => Promise<unknown>;
  /** Told once when a call fails fatally; the queue is closed by then. */
  onFatal?: (error: unknown) => void;
  /** Told about calls dropped after a refusal. */
  onDropped?: (call: SequencedCall, error: unknown) => void;
  /** Decides what a failure means (default: classifyFailure). */
  classify?: (error: unknown) => FailureAction;
  /** Pause before "resend-later" calls go again. */
  retryDelayMs?: number;
  /** Most calls in flight at once (the server refuses batches over its MAX_BATCH_SIZE). */
  maxInflightCalls?: number;
  /**
   * Most JSON frame bytes in flight at once: calls queued while the socket is down leave in one
   * batch frame when it reopens, and the server refuses frames over 256 KiB.
   */
  maxInflightBytes?: number;
  /** Largest piece of input per call, in frame bytes (UTF-8 bytes are capped at MAX_INPUT_BYTES too). */
  maxChunkBytes?: number;
}

interface Pending {
  call: SequencedCall;
  /** JSON frame bytes of the data. */
  cost: number;
  /** UTF-8 bytes of the data. */
  utf8: number;
  /** Handed to `send` at least once: the server may have applied it, so it never changes again. */
  attempted: boolean;
}

/** Fixed frame overhead of one call (ids, path, field names), for the in-flight budget. */
const CALL_OVERHEAD = 160;

/**
 * Numbers each input and resize call per (session, client) from 0 and keeps them flowing in order:
 * a call that failed because the socket closed is sent again with the same seq (the server answers
 * "duplicate" if it had applied it), typed input waiting to go is merged into one call, and big
 * pastes are split. Nothing is sent before `open()` (the session must be running).
 */
export class InputQueue {
  readonly #send: InputQueueOptions["send"];
  readonly #onFatal: NonNullable<InputQueueOptions["onFatal"]>;
  readonly #onDropped: NonNullable<InputQueueOptions["onDropped"]>;
  readonly #classify: NonNullable<InputQueueOptions["classify"]>;
  readonly #retryDelayMs: number;
  readonly #maxInflightCalls: number;
  readonly #maxInflightBytes: number;
  readonly #maxChunkBytes: number;
  /** Calls not in flight, in seq order: new ones and those to send again. */
  #waiting: Pending[] = [];
  readonly #inflight = new Map<number, Pending>();
  #inflightBytes = 0;
  #nextSeq = 0;
  #open = false;
  #closed = false;
  #holdTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: InputQueueOptions) {
    this.#send = options.send;
    this.#onFatal = options.onFatal ?? (() => {});
    this.#onDropped = options.onDropped ?? (() => {});
    this.#classify = options.classify ?? classifyFailure;
    this.#retryDelayMs = options.retryDelayMs ?? 250;
    this.#maxInflightCalls = options.maxInflightCalls ?? 8;
    this.#maxInflightBytes = options.maxInflightBytes ?? 96 * 1024;
    this.#maxChunkBytes = Math.min(options.maxChunkBytes ?? 48 * 1024, this.#maxInflightBytes);
  }

  /** The seq the next new call gets. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** Calls sent and not yet answered. */
  get inflight(): number {
    return this.#inflight.size;
  }

  /** Calls waiting to be sent (new, or to be sent again). */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Typed input (not the terminal's answers, not sizes) waiting or in flight, in calls. */
  get typing(): number {
    const typed = (pending: Pending) => pending.call.type === "input" && !pending.call.answer;
    return this.#waiting.filter(typed).length + [...this.#inflight.values()].filter(typed).length;
  }

  /** Whether the queue was closed (nothing more is sent). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Starts sending (the session is running). */
  open(): void {
    if (this.#closed) return;
    this.#open = true;
    this.#pump();
  }

  /** Stops for good: nothing more is sent; answers still on their way are ignored. */
  close(): void {
    this.#closed = true;
    this.#open = false;
    this.#waiting = [];
    if (this.#holdTimer) clearTimeout(this.#holdTimer);
    this.#holdTimer = null;
  }

  /**
   * Queues keystrokes or pasted text; `answer` marks what the terminal wrote itself in answer to a
   * query (never merged with typing).
   */
  input(data: string, answer = false): void {
    if (this.#closed || data === "") return;
    for (const piece of splitInput(data, MAX_INPUT_BYTES, this.#maxChunkBytes)) {
      const last = this.#mergeable("input");
      const cost = frameBytes(piece);
      const utf8 = utf8Length(piece);
      if (
        last?.call.type === "input" &&
        (last.call.answer ?? false) === answer &&
        last.cost + cost <= this.#maxChunkBytes &&
        last.utf8 + utf8 <= MAX_INPUT_BYTES
      ) {
        last.call.data += piece;
        last.cost += cost;
        last.utf8 += utf8;
      } else {
        this.#waiting.push({
          call: { seq: this.#take(), type: "input", data: piece, ...(answer && { answer }) },
          cost,
          utf8,
          attempted: false,
        });
      }
    }
    this.#pump();
  }

  /** Queues a new terminal size; a size still waiting to be sent is replaced instead. */
  resize(cols: number, rows: number): void {
    if (this.#closed) return;
    const last = this.#mergeable("resize");
    if (last?.call.type === "resize") {
      last.call.cols = cols;
      last.call.rows = rows;
    } else {
      this.#waiting.push({
        call: { seq: this.#take(), type: "resize", cols, rows },
        cost: 0,
        utf8: 0,
        attempted: false,
      });
    }
    this.#pump();
  }

  /** The newest call if it is of `type`, was never sent, and nothing after it exists. */
  #mergeable(type: SequencedCall["type"]): Pending | undefined {
    const last = this.#waiting.at(-1);
    if (!last || last.attempted || last.call.type !== type) return undefined;
    return last.call.seq === this.#nextSeq - 1 ? last : undefined;
  }

  #take(): number {
    return this.#nextSeq++;
  }

  #pump(): void {
    while (this.#open && !this.#holdTimer && this.#waiting.length > 0) {
      const next = this.#waiting[0]!;
      const cost = next.cost + CALL_OVERHEAD;
      if (this.#inflight.size >= this.#maxInflightCalls) return;
      if (this.#inflight.size > 0 && this.#inflightBytes + cost > this.#maxInflightBytes) return;
      this.#waiting.shift();
      next.attempted = true;
      this.#inflight.set(next.call.seq, next);
      this.#inflightBytes += cost;
      void this.#deliver(next, cost);
    }
  }

  async #deliver(pending: Pending, cost: number): Promise<void> {
    let failure: { error: unknown } | null = null;
    try {
      await this.#send({ ...pending.call });
    } catch (error) {
      failure = { error };
    }
    this.#inflight.delete(pending.call.seq);
    this.#inflightBytes -= cost;
    if (this.#closed) return;
    if (failure) this.#failed(pending, failure.error);
    this.#pump();
  }

  #failed(pending: Pending, error: unknown): void {
    const action = this.#classify(error);
    switch (action) {
      case "resend":
      case "resend-later": {
        // Back into its place by seq, ahead of anything newer.
        const at = this.#waiting.findIndex((other) => other.call.seq > pending.call.seq);
        if (at === -1) this.#waiting.push(pending);
        else this.#waiting.splice(at, 0, pending);
        if (action === "resend-later" && !this.#holdTimer) {
          this.#holdTimer = setTimeout(() => {
            this.#holdTimer = null;
            this.#pump();
          }, this.#retryDelayMs);
        }
        return;
      }
      case "drop":
        this.#onDropped(pending.call, error);
        return;
      case "fatal":
        this.close();
        this.#onFatal(error);
        return;
    }
  }
}
