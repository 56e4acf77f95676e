// One stream's queue of process output between a running process and a Start/Connect stream.
import type { ExitStatus } from "./exit-status.js";

/** Output bytes as envd labels them. */
export interface ProcessOutput {
  readonly case: "stdout" | "stderr" | "pty";
  readonly value: Uint8Array;
}

/** What a stream receives after its start event: data, then one end. */
export type StreamItem =
  | { readonly type: "data"; readonly output: ProcessOutput }
  | { readonly type: "end"; readonly exit: ExitStatus };

/** What {@link Subscription.next} resolves to: an item, `idle` (nothing within the wait), or `done` (end delivered). */
export type NextItem = StreamItem | "idle" | "done";

/** Callbacks a subscription gives its process so that a slow reader can hold the process back. */
export interface SubscriptionOwner {
  /** An item was taken off the queue. */
  consumed(): void;
  /** The stream went away. */
  released(subscription: Subscription): void;
}

/** A queue of {@link StreamItem}s read by exactly one stream. */
export class Subscription {
  private readonly items: StreamItem[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  private released = false;

  constructor(private readonly owner: SubscriptionOwner) {}

  /** Items waiting to be sent. */
  get backlog(): number {
    return this.items.length;
  }

  /** Queues an item (ignored once the subscription is released or has its end). */
  push(item: StreamItem): void {
    if (this.released || this.ended) return;
    this.items.push(item);
    if (item.type === "end") this.ended = true;
    this.wake?.();
  }

  /**
   * Waits for the next item.
   * @param idleMs how long to wait before answering `idle`
   * @param signal aborts the wait, rejecting with the signal's reason
   */
  async next(idleMs: number, signal: AbortSignal): Promise<NextItem> {
    signal.throwIfAborted();
    const ready = this.take();
    if (ready !== undefined) return ready;
    return new Promise<NextItem>((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        this.wake = undefined;
      };
      const onAbort = (): void => {
        finish();
        reject(signal.reason as Error);
      };
      const timer = setTimeout(() => {
        finish();
        resolve("idle");
      }, idleMs);
      this.wake = () => {
        const item = this.take();
        if (item === undefined) return;
        finish();
        resolve(item);
      };
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Stops receiving; safe to call more than once. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.items.length = 0;
    this.owner.released(this);
  }

  private take(): NextItem | undefined {
    const item = this.items.shift();
    if (item !== undefined) {
      this.owner.consumed();
      return item;
    }
    return this.ended ? "done" : undefined;
  }
}
