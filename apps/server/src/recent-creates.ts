// Remembers recent session.create request ids, so a create resent after a drop makes one session.

/** Request ids remembered per server; the oldest are forgotten first. */
export const MAX_REMEMBERED_CREATES = 1024;

/** (credential, requestId) -> session id, bounded. */
export class RecentCreates {
  readonly #entries = new Map<string, string>();

  /** The session an earlier create with this request id made, if remembered. */
  get(credential: string, requestId: string): string | undefined {
    return this.#entries.get(`${credential}/${requestId}`);
  }

  remember(credential: string, requestId: string, sessionId: string): void {
    const key = `${credential}/${requestId}`;
    this.#entries.delete(key);
    this.#entries.set(key, sessionId);
    if (this.#entries.size > MAX_REMEMBERED_CREATES) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}
