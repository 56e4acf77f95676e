// Applies each client's input in seq order, exactly once, whatever order tRPC delivers it in.
import type { SequencedResult } from "@porthole/protocol";
import { SandboxError } from "@porthole/sandbox";
import {
  INPUT_GAP_TIMEOUT_MS,
  MAX_HELD_INPUT_BYTES_PER_SESSION,
  MAX_HELD_INPUTS,
  MAX_SEQUENCED_CLIENTS_PER_SESSION,
} from "./limits.js";

interface Held {
  apply: () => Promise<void>;
  /** Bytes of input the call carries (held in memory until it runs). */
  bytes: number;
  resolve: (result: SequencedResult) => void;
  reject: (error: unknown) => void;
}

/** A session's clients, and the input bytes all of them hold, which one bound covers. */
interface SessionStreams {
  clients: Map<string, ClientStream>;
  heldBytes: number;
}

/** One client's position: the next seq to apply and what arrived early. */
interface ClientStream {
  session: SessionStreams;
  next: number;
  held: Map<number, Held>;
  gapTimer: NodeJS.Timeout | null;
  /** The last call applied: each waits for the one before, so order never rests on timing. */
  tail: Promise<unknown>;
}

/** Runs `apply` after everything applied before it in `stream`, whether that worked or not. */
function inOrder(stream: ClientStream, apply: () => Promise<void>): Promise<void> {
  const ran = stream.tail.then(apply, apply);
  stream.tail = ran.catch(() => undefined);
  return ran;
}

/**
 * Orders calls per (session, client) by `seq`. A seq already applied is a resend and is ignored
 * ("duplicate"); one that arrives early waits for the gap to fill. A gap that stays open for
 * INPUT_GAP_TIMEOUT_MS is skipped, and the calls after it report how many seqs were lost.
 */
export class InputSequencer {
  readonly #sessions = new Map<string, SessionStreams>();
  readonly #gapTimeoutMs: number;

  constructor(gapTimeoutMs = INPUT_GAP_TIMEOUT_MS) {
    this.#gapTimeoutMs = gapTimeoutMs;
  }

  /**
   * Runs `apply` when its turn comes; resolves once it ran (or was a duplicate). `bytes` is the
   * input it carries: a call that must wait is refused (LIMIT, its seq not taken) when the
   * session's held calls would pass MAX_HELD_INPUT_BYTES_PER_SESSION.
   */
  submit(
    sessionId: string,
    clientId: string,
    seq: number,
    apply: () => Promise<void>,
    bytes = 0,
  ): Promise<SequencedResult> {
    const stream = this.#stream(sessionId, clientId);
    if (seq < stream.next || stream.held.has(seq))
      return Promise.resolve({ status: "duplicate", skipped: 0 });
    if (seq === stream.next) {
      stream.next++;
      const ran = inOrder(stream, apply).then(() => ({ status: "applied" as const, skipped: 0 }));
      this.#drain(stream, 0);
      return ran;
    }
    if (stream.held.size >= MAX_HELD_INPUTS) {
      return Promise.reject(
        new SandboxError(
          "LIMIT",
          `Too much input arrived out of order (more than ${MAX_HELD_INPUTS} calls)`,
        ),
      );
    }
    if (stream.session.heldBytes + bytes > MAX_HELD_INPUT_BYTES_PER_SESSION) {
      return Promise.reject(
        new SandboxError(
          "LIMIT",
          `Too much input arrived out of order (more than ${MAX_HELD_INPUT_BYTES_PER_SESSION} bytes waiting in this session)`,
        ),
      );
    }
    return new Promise<SequencedResult>((resolve, reject) => {
      stream.held.set(seq, { apply, bytes, resolve, reject });
      stream.session.heldBytes += bytes;
      stream.gapTimer ??= setTimeout(() => this.#skipGap(stream), this.#gapTimeoutMs);
    });
  }

  /** Forgets a session (it ended); held calls fail with SESSION_ENDED. */
  forget(sessionId: string): void {
    const session = this.#sessions.get(sessionId);
    if (!session) return;
    this.#sessions.delete(sessionId);
    session.heldBytes = 0;
    for (const stream of session.clients.values()) {
      if (stream.gapTimer) clearTimeout(stream.gapTimer);
      for (const held of stream.held.values())
        held.reject(new SandboxError("SESSION_ENDED", "The session has ended"));
    }
  }

  /** Whether `clientId` has calls waiting for an earlier seq in `sessionId`. */
  holds(sessionId: string, clientId: string): boolean {
    return (this.#sessions.get(sessionId)?.clients.get(clientId)?.held.size ?? 0) > 0;
  }

  /** Clients tracked for a session (for tests and limits). */
  clients(sessionId: string): number {
    return this.#sessions.get(sessionId)?.clients.size ?? 0;
  }

  /** Input bytes a session's calls hold while they wait for earlier ones (for tests and limits). */
  heldBytes(sessionId: string): number {
    return this.#sessions.get(sessionId)?.heldBytes ?? 0;
  }

  #stream(sessionId: string, clientId: string): ClientStream {
    let session = this.#sessions.get(sessionId);
    if (!session) {
      session = { clients: new Map(), heldBytes: 0 };
      this.#sessions.set(sessionId, session);
    }
    const clients = session.clients;
    let stream = clients.get(clientId);
    if (!stream) {
      if (clients.size >= MAX_SEQUENCED_CLIENTS_PER_SESSION) {
        // Forget the least recently added client with nothing held: it starts afresh if it returns.
        for (const [id, other] of clients) {
          if (other.held.size === 0) {
            clients.delete(id);
            break;
          }
        }
      }
      // Every client id counts from 0 (a page picks a new id on each load).
      stream = { session, next: 0, held: new Map(), gapTimer: null, tail: Promise.resolve() };
      clients.set(clientId, stream);
    } else {
      // Refresh recency so active clients are not the ones forgotten.
      clients.delete(clientId);
      clients.set(clientId, stream);
    }
    return stream;
  }

  /** Applies held calls that are now in order. */
  #drain(stream: ClientStream, skipped: number): void {
    let first = true;
    for (let held = stream.held.get(stream.next); held; held = stream.held.get(stream.next)) {
      stream.held.delete(stream.next);
      stream.session.heldBytes -= held.bytes;
      stream.next++;
      const gap = first ? skipped : 0;
      first = false;
      inOrder(stream, held.apply).then(
        () => held.resolve({ status: "applied", skipped: gap }),
        held.reject,
      );
    }
    if (stream.held.size === 0 && stream.gapTimer) {
      clearTimeout(stream.gapTimer);
      stream.gapTimer = null;
    }
  }

  #skipGap(stream: ClientStream): void {
    stream.gapTimer = null;
    if (stream.held.size === 0) return;
    const lowest = Math.min(...stream.held.keys());
    const skipped = lowest - stream.next;
    stream.next = lowest;
    this.#drain(stream, skipped);
    if (stream.held.size > 0)
      stream.gapTimer = setTimeout(() => this.#skipGap(stream), this.#gapTimeoutMs);
  }
}
