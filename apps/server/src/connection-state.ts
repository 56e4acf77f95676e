// What the server tracks per WebSocket connection: its subscriptions, input rate and attachments.
import type { Attachment } from "@porthole/sandbox";
import { INPUT_CALLS_PER_SECOND, MAX_SUBSCRIPTIONS_PER_CONNECTION } from "./limits.js";
import { RateLimiter } from "./rate-limit.js";

/** Per-connection bookkeeping, created when the connection authenticates. */
export class ConnectionState {
  readonly id: string;
  readonly inputRate = new RateLimiter(INPUT_CALLS_PER_SECOND);
  /** Attachments by `${sessionId}/${clientId}`, so acks find their subscription. */
  readonly #attachments = new Map<string, Attachment>();
  #subscriptions = 0;

  constructor(id: string) {
    this.id = id;
  }

  /** Counts a new subscription; false when the connection holds its limit already. */
  openSubscription(): boolean {
    if (this.#subscriptions >= MAX_SUBSCRIPTIONS_PER_CONNECTION) return false;
    this.#subscriptions++;
    return true;
  }

  closeSubscription(): void {
    this.#subscriptions--;
  }

  get subscriptions(): number {
    return this.#subscriptions;
  }

  trackAttachment(sessionId: string, clientId: string, attachment: Attachment): void {
    this.#attachments.set(`${sessionId}/${clientId}`, attachment);
  }

  untrackAttachment(sessionId: string, clientId: string, attachment: Attachment): void {
    const key = `${sessionId}/${clientId}`;
    if (this.#attachments.get(key) === attachment) this.#attachments.delete(key);
  }

  attachment(sessionId: string, clientId: string): Attachment | undefined {
    return this.#attachments.get(`${sessionId}/${clientId}`);
  }
}
