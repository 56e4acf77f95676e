// Typed errors for everything that can go wrong in a sandbox, each with a code clients understand.
import type { ErrorCode } from "@porthole/protocol";

/** An error with a stable code and a message fit to show a person. */
export class SandboxError extends Error {
  override readonly name = "SandboxError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True for errors this package made on purpose. */
export function isSandboxError(error: unknown): error is SandboxError {
  return error instanceof SandboxError;
}

/** Wraps anything thrown into a SandboxError without losing the original as `cause`. */
export function toSandboxError(error: unknown, code: ErrorCode = "INTERNAL"): SandboxError {
  if (error instanceof SandboxError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SandboxError(code, message, { cause: error });
}
