// tRPC setup: the per-connection context, typed errors, and the authenticated procedure base.
import { wireTransformer, type ErrorCode } from "@porthole/protocol";
import { isSandboxError, type SessionManager } from "@porthole/sandbox";
import { initTRPC, TRPCError } from "@trpc/server";
import type { WebSocket } from "ws";
import { z } from "zod";
import type { ConnectionState } from "./connection-state.js";
import type { InputSequencer } from "./input-sequencer.js";
import type { Logger } from "./logger.js";
import type { ProviderHealth } from "./provider-health.js";
import type { RecentCreates } from "./recent-creates.js";
import type { Typists } from "./typists.js";

/** What every procedure sees. */
export interface Context {
  /** The credential this connection authenticated as. */
  credential: string;
  socket: WebSocket;
  connection: ConnectionState;
  sessions: SessionManager;
  sequencer: InputSequencer;
  typists: Typists;
  recentCreates: RecentCreates;
  providerHealth: ProviderHealth;
  logger: Logger;
}

/** tRPC codes for our error codes, so HTTP-ish semantics stay right. */
const TRPC_CODES: Record<ErrorCode, TRPCError["code"]> = {
  BAD_INPUT: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  NOT_FOUND: "NOT_FOUND",
  LIMIT: "TOO_MANY_REQUESTS",
  SHUTTING_DOWN: "SERVICE_UNAVAILABLE",
  SANDBOX_AUTH: "INTERNAL_SERVER_ERROR",
  SANDBOX_QUOTA: "TOO_MANY_REQUESTS",
  SANDBOX_TEMPLATE: "INTERNAL_SERVER_ERROR",
  SANDBOX_UNREACHABLE: "INTERNAL_SERVER_ERROR",
  SANDBOX_FAILED: "INTERNAL_SERVER_ERROR",
  PROGRAM_MISSING: "PRECONDITION_FAILED",
  SESSION_ENDED: "PRECONDITION_FAILED",
  INTERNAL: "INTERNAL_SERVER_ERROR",
};

/** A TRPCError carrying one of our codes (read back by the error formatter). */
export function portholeError(code: ErrorCode, message: string, cause?: unknown): TRPCError {
  const error = new TRPCError({ code: TRPC_CODES[code], message, cause });
  (error as TRPCError & { portholeCode?: ErrorCode }).portholeCode = code;
  return error;
}

/** Turns what a procedure threw into our typed error. */
export function toTRPCError(error: unknown): TRPCError {
  if (isSandboxError(error)) return portholeError(error.code, error.message, error);
  if (error instanceof TRPCError) return error;
  return portholeError("INTERNAL", "Something went wrong on the server", error);
}

function codeOf(error: TRPCError): ErrorCode {
  const own = (error as TRPCError & { portholeCode?: ErrorCode }).portholeCode;
  if (own) return own;
  if (isSandboxError(error.cause)) return error.cause.code;
  if (error.code === "BAD_REQUEST" || error.code === "PARSE_ERROR") return "BAD_INPUT";
  if (error.code === "NOT_FOUND") return "NOT_FOUND";
  if (error.code === "TOO_MANY_REQUESTS") return "LIMIT";
  // A connection without a valid token says so; within one, what is not yours looks absent.
  if (error.code === "UNAUTHORIZED") return "UNAUTHORIZED";
  if (error.code === "FORBIDDEN") return "NOT_FOUND";
  return "INTERNAL";
}

const t = initTRPC.context<Context>().create({
  // Output bytes cross the wire as Uint8Array (wireEncoder); the identity transformer says so to tRPC's types.
  transformer: wireTransformer,
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof z.ZodError ? error.cause : null;
    const code = zodError ? "BAD_INPUT" : codeOf(error);
    // Input errors say which field and why; internal errors say nothing about internals.
    const message = zodError
      ? zodError.issues
          .map((issue) => `${issue.path.join(".") || "input"}: ${issue.message}`)
          .join("; ")
      : code === "INTERNAL" && !(error.cause && isSandboxError(error.cause))
        ? "Something went wrong on the server"
        : shape.message;
    return {
      ...shape,
      message,
      data: { code: shape.data.code, httpStatus: shape.data.httpStatus, porthole: code },
    };
  },
});

export const router = t.router;

/**
 * The base of every procedure (connections are authenticated before any call runs). Sandbox
 * errors become TRPCErrors with our code, so clients see NOT_FOUND, LIMIT... and a clear message.
 */
export const procedure = t.procedure.use(async ({ next }) => {
  const result = await next();
  if (!result.ok && isSandboxError(result.error.cause)) throw toTRPCError(result.error.cause);
  return result;
});
