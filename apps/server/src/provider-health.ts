// The sandbox provider's trouble that concerns every session (a refused key, an unreachable API).
import type { ErrorCode, ProviderProblem } from "@porthole/protocol";

/** Codes that say the provider itself is in trouble, not one session. */
const PROVIDER_CODES: ReadonlySet<ErrorCode> = new Set([
  "SANDBOX_AUTH",
  "SANDBOX_UNREACHABLE",
  "SANDBOX_QUOTA",
  "SANDBOX_TEMPLATE",
]);

/**
 * Remembers the provider's last such failure until a session starts again, so that /health and
 * the operator hear that every new session will fail, not only the user whose start failed.
 */
export class ProviderHealth {
  #problem: ProviderProblem | null = null;

  /** The failure that still stands, or null. */
  get problem(): ProviderProblem | null {
    return this.#problem;
  }

  /** A start (or a look for orphans) failed; returns whether this is a new problem. */
  failed(failure: { code: ErrorCode; message: string }, now = new Date()): boolean {
    if (!PROVIDER_CODES.has(failure.code)) return false;
    const same = this.#problem?.code === failure.code && this.#problem.message === failure.message;
    if (same) return false;
    this.#problem = { code: failure.code, message: failure.message, since: now.toISOString() };
    return true;
  }

  /** A session started: the provider works again. */
  worked(): void {
    this.#problem = null;
  }
}
