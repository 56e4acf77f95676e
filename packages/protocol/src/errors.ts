// Error codes a client may see, shared so the web app can show each one plainly.
import { z } from "zod";

/** Why something failed, in terms a client can act on. */
export const errorCodeSchema = z.enum([
  /** The request did not match its schema. */
  "BAD_INPUT",
  /** The access token is missing or wrong; the connection closes with UNAUTHORIZED_CLOSE_CODE. */
  "UNAUTHORIZED",
  /** No such session for this credential (also what another credential's session looks like). */
  "NOT_FOUND",
  /** A named limit was reached: sessions, subscriptions, input rate. */
  "LIMIT",
  /** The server is shutting down and takes no new work; also how a session it ended so ends. */
  "SHUTTING_DOWN",
  /** The sandbox provider refused our credentials (bad E2B key). */
  "SANDBOX_AUTH",
  /** The sandbox provider refused for quota or rate reasons. */
  "SANDBOX_QUOTA",
  /** The sandbox template does not exist. */
  "SANDBOX_TEMPLATE",
  /** The sandbox provider could not be reached or timed out. */
  "SANDBOX_UNREACHABLE",
  /** The sandbox failed in another way. */
  "SANDBOX_FAILED",
  /** A start command needs a program the sandbox lacks (e.g. `claude`). */
  "PROGRAM_MISSING",
  /** The session has ended; it takes no more input. */
  "SESSION_ENDED",
  /** Something unexpected on the server; the message says what. */
  "INTERNAL",
]);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

/** WebSocket close code for a missing or wrong access token (4000-4999 belong to applications). */
export const UNAUTHORIZED_CLOSE_CODE = 4401;

/** WebSocket close code when an access token already holds as many connections as it may. */
export const TOO_MANY_CONNECTIONS_CLOSE_CODE = 4429;
