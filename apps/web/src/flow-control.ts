// Output flow control: acknowledges what xterm has rendered so the server sends at most a window ahead.
import { FLOW_ACK_BYTES } from "@porthole/protocol";

/**
 * Tracks one subscription's output offsets. The server stops sending above a window of
 * unacknowledged bytes (at least FLOW_MIN_WINDOW) and resumes at half of it; this acknowledges after xterm's write
 * callback, at most once per chunk, whenever at least `ackBytes` were rendered since the last
 * ack, and always when rendering has caught up with everything received (so the server never
 * waits on an ack that would not come).
 */
export class FlowControl {
  readonly #sendAck: (offset: number) => void;
  readonly #ackBytes: number;
  readonly #defer: (flush: () => void) => void;
  #flushQueued = false;
  #received = 0;
  #written = 0;
  #acked = 0;

  /**
   * `sendAck` delivers `terminal.ack`; it must not throw. `defer` runs the ack after the current
   * parse slice (tests pass one that runs it at once).
   */
  constructor(
    sendAck: (offset: number) => void,
    ackBytes: number = FLOW_ACK_BYTES,
    defer: (flush: () => void) => void = (flush) => queueMicrotask(flush),
  ) {
    this.#sendAck = sendAck;
    this.#ackBytes = ackBytes;
    this.#defer = defer;
  }

  /** Offset just after the last chunk handed to the terminal. */
  get received(): number {
    return this.#received;
  }

  /** Offset just after the last chunk the terminal finished parsing. */
  get written(): number {
    return this.#written;
  }

  /** Offset of the last acknowledgement sent. */
  get acked(): number {
    return this.#acked;
  }

  /** A chunk ending at `offset` was handed to the terminal. */
  onReceived(offset: number): void {
    if (offset > this.#received) this.#received = offset;
  }

  /** The terminal parsed the chunk ending at `offset` (call from xterm's write callback). */
  onWritten(offset: number): void {
    if (offset > this.#written) this.#written = offset;
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    this.#defer(() => {
      this.#flushQueued = false;
      this.#flush();
    });
  }

  #flush(): void {
    const unacked = this.#written - this.#acked;
    if (unacked <= 0) return;
    if (unacked >= this.#ackBytes || this.#written >= this.#received) {
      this.#acked = this.#written;
      this.#sendAck(this.#written);
    }
  }

  /**
   * The server moved this client to `offset` without sending the bytes before it (a snapshot);
   * it counts them as acknowledged itself. The offset is a new origin: after a server restart it
   * may be lower than before, and counters kept higher would never acknowledge again.
   */
  skipTo(offset: number): void {
    this.#received = offset;
    this.#written = offset;
    this.#acked = offset;
  }
}
