// Reads what went wrong out of a tRPC client error: our error code, a message to show, and whether the socket was lost.
import type { ErrorCode } from "@porthole/protocol";

/** What the status bar shows for a failed call. */
export interface Problem {
  /** Our error code from the server (`error.data.porthole`), or null when the server never answered. */
  code: ErrorCode | null;
  message: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** The `porthole` code a server error carries in `error.data`, if any. */
export function errorCode(error: unknown): ErrorCode | null {
  if (!isObject(error) || !isObject(error.data)) return null;
  const code = error.data.porthole;
  return typeof code === "string" ? (code as ErrorCode) : null;
}

/**
 * True when a call failed because its WebSocket closed before the answer came (tRPC wraps a
 * TRPCWebSocketClosedError): the server may or may not have run it, so it is sent again.
 */
export function isConnectionLost(error: unknown): boolean {
  if (!isObject(error)) return false;
  if (error.name === "TRPCWebSocketClosedError") return true;
  if (errorCode(error) !== null || isObject(error.data)) return false;
  return isConnectionLost(error.cause);
}

/** A code and a plain message for any error a call may fail with. */
export function describeError(error: unknown): Problem {
  const code = errorCode(error);
  if (code === null && isConnectionLost(error)) {
    return { code: null, message: "The connection to the server was lost" };
  }
  const message =
    isObject(error) && typeof error.message === "string" && error.message !== ""
      ? error.message
      : "Something went wrong";
  return { code, message };
}
